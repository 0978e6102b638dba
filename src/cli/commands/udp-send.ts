import { Command } from 'commander'
import type { CliContext } from '../io.js'

// Placeholder until the command lands; registered so `sockkit --help` lists it.
export const makeUdpSendCommand = (ctx: CliContext): Command =>
  new Command('udp-send')
    .summary('(not yet available)')
    .action(() => { ctx.io.stderr.write('sockkit: udp-send is not available yet\n'); ctx.exitCode = 1 })
