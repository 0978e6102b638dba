import { Command } from 'commander'
import type { CliContext } from '../io.js'

// Placeholder until the command lands; registered so `sockkit --help` lists it.
export const makeChatServerCommand = (ctx: CliContext): Command =>
  new Command('chat-server')
    .summary('(not yet available)')
    .action(() => { ctx.io.stderr.write('sockkit: chat-server is not available yet\n'); ctx.exitCode = 1 })
