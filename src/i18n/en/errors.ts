import type { Fmt } from '../fmt.js'
import { errorsUdp } from './errors-udp.js'
import { errorsImpairment } from './errors-impairment.js'
import { errorsClients } from './errors-clients.js'
import { errorsCore } from './errors-core.js'
import { errorsServers } from './errors-servers.js'
import { errorsCompare } from './errors-compare.js'
import { errorsWs } from './errors-ws.js'

/**
 * Errors the library raises, worded for a person. The library stores the key and parameters
 * on the error (`sockkitError(code, key, params)`); no sentence here names a CLI flag — the
 * CLI adds its own hint (see cli/explain).
 */
export const errors = (f: Fmt) => ({
  ...errorsUdp(f),
  ...errorsImpairment(f),
  ...errorsCore(f),
  ...errorsClients(f),
  ...errorsServers(f),
  ...errorsCompare(f),
  ...errorsWs(f),
  reflectorProgramMissing: (p: { path: string }) => `the reflector program is missing (looked for ${p.path}); run \`npm run build\``,
})
