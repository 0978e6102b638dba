import type { Command } from 'commander'
import type { CliContext } from '../io.js'
import { makeTcpServerCommand } from './tcp-server.js'
import { makeTcpClientCommand } from './tcp-client.js'
import { makeUdpSendCommand } from './udp-send.js'
import { makeUdpServerCommand } from './udp-server.js'
import { makeServeCommand } from './serve.js'
import { makeCompareCommand } from './compare.js'
import { makeLinkCommand } from './link.js'
import { makeChatServerCommand } from './chat-server.js'
import { makeWsServerCommand } from './ws-server.js'
import { makeWsClientCommand } from './ws-client.js'

/**
 * Every command, in the order `sockkit --help` lists them. Each factory only declares
 * options; the library code a command runs is imported inside its action, so
 * `sockkit --help` loads none of it.
 */
export const commandFactories: Array<(ctx: CliContext) => Command> = [
  makeCompareCommand,
  makeServeCommand,
  makeTcpServerCommand,
  makeTcpClientCommand,
  makeUdpSendCommand,
  makeUdpServerCommand,
  makeLinkCommand,
  makeChatServerCommand,
  makeWsServerCommand,
  makeWsClientCommand,
]
