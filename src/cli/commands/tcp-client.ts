import { Command } from 'commander'
import type { CliContext } from '../io.js'

// Placeholder until the command lands; registered so `sockkit --help` lists it.
export const makeTcpClientCommand = (ctx: CliContext): Command =>
  new Command('tcp-client')
    .summary('(not yet available)')
    .action(() => { ctx.io.stderr.write('sockkit: tcp-client is not available yet\n'); ctx.exitCode = 1 })
