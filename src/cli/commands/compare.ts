import { Command } from 'commander'
import type { CliContext } from '../io.js'

// Placeholder until the command lands; registered so `sockkit --help` lists it.
export const makeCompareCommand = (ctx: CliContext): Command =>
  new Command('compare')
    .summary('(not yet available)')
    .action(() => { ctx.io.stderr.write('sockkit: compare is not available yet\n'); ctx.exitCode = 1 })
