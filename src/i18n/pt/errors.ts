import type { Area } from '../index.js'
import { errorsUdp } from './errors-udp.js'
import { errorsImpairment } from './errors-impairment.js'
import { errorsClients } from './errors-clients.js'
import { errorsCore } from './errors-core.js'
import { errorsServers } from './errors-servers.js'
import { errorsCompare } from './errors-compare.js'
import { errorsWs } from './errors-ws.js'

/** Erros da biblioteca, para uma pessoa ler; nenhuma frase cita uma opção da CLI. */
export const errors: Area<'errors'> = (f) => ({
  ...errorsUdp(f),
  ...errorsImpairment(f),
  ...errorsCore(f),
  ...errorsClients(f),
  ...errorsServers(f),
  ...errorsCompare(f),
  ...errorsWs(f),
  reflectorProgramMissing: (p) => `falta o programa do refletor (procurado em ${p.path}); rode \`npm run build\``,
})
