import { Command } from 'commander'
import type { CliContext } from '../io.js'

// Placeholder until the command lands; registered so `sockkit --help` lists it.
export const makeServeCommand = (ctx: CliContext): Command =>
  new Command('serve')
    .summary('(not yet available)')
    .action(() => { ctx.io.stderr.write('sockkit: serve is not available yet\n'); ctx.exitCode = 1 })
