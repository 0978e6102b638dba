import { Command } from 'commander'
import type { CliContext } from '../io.js'

// Placeholder until the command lands; registered so `sockkit --help` lists it.
export const makeLinkCommand = (ctx: CliContext): Command =>
  new Command('link')
    .summary('(not yet available)')
    .action(() => { ctx.io.stderr.write('sockkit: link is not available yet\n'); ctx.exitCode = 1 })
