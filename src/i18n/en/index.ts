/**
 * The English catalogue: every sentence sockkit shows a person, by area. Its shape is the
 * `Catalog` type that every other language must fill completely (same keys, same parameters).
 * Each area lives in its own file; a message is a string or a function of named parameters.
 */
import type { Fmt } from '../fmt.js'
import { addressFilter } from './address-filter.js'
import { chat } from './chat.js'
import { chatServer } from './chat-server.js'
import { common } from './common.js'
import { compare } from './compare.js'
import { compareCli } from './compare-cli.js'
import { compareHeadline } from './compare-headline.js'
import { errors } from './errors.js'
import { recvBuffer } from './recv-buffer.js'
import { serve } from './serve.js'
import { udpServer } from './udp-server.js'
import { impairment } from './impairment.js'
import { link } from './link.js'
import { udpSend } from './udp-send.js'
import { tcpClient } from './tcp-client.js'
import { cli } from './cli.js'
import { explain } from './explain.js'
import { tcpServer } from './tcp-server.js'
import { wsServer } from './ws-server.js'
import { wsClient } from './ws-client.js'

export const en = (f: Fmt) => ({
  addressFilter: addressFilter(),
  chat: chat(f),
  chatServer: chatServer(f),
  common: common(f),
  compare: compare(f),
  compareHeadline: compareHeadline(f),
  errors: errors(f),
  recvBuffer: recvBuffer(f),
  serve: serve(f),
  udpServer: udpServer(f),
  impairment: impairment(f),
  link: link(f),
  udpSend: udpSend(f),
  tcpClient: tcpClient(f),
  cli: cli(f),
  explain: explain(f),
  tcpServer: tcpServer(f),
  compareCli: compareCli(f),
  wsServer: wsServer(f),
  wsClient: wsClient(f),
})
