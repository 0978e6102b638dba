/**
 * The Spanish catalogue: every area of the English one (src/i18n/en), typed by `Catalog` so the
 * compiler holds it complete (no English fallback). See docs/dev/glossary.md for the terms.
 */
import type { Catalog } from '../index.js'
import type { Fmt } from '../fmt.js'
import { common } from './common.js'
import { errors } from './errors.js'
import { cli } from './cli.js'
import { explain } from './explain.js'
import { recvBuffer } from './recv-buffer.js'
import { tcpServer } from './tcp-server.js'
import { tcpClient } from './tcp-client.js'
import { chat } from './chat.js'
import { chatServer } from './chat-server.js'
import { udpServer } from './udp-server.js'
import { udpSend } from './udp-send.js'
import { serve } from './serve.js'
import { addressFilter } from './address-filter.js'
import { impairment } from './impairment.js'
import { compare } from './compare.js'
import { compareHeadline } from './compare-headline.js'
import { link } from './link.js'
import { compareCli } from './compare-cli.js'
import { wsServer } from './ws-server.js'
import { wsClient } from './ws-client.js'

export const es = (f: Fmt): Catalog => ({
  common: common(f),
  errors: errors(f),
  cli: cli(f),
  explain: explain(f),
  recvBuffer: recvBuffer(f),
  tcpServer: tcpServer(f),
  tcpClient: tcpClient(f),
  chat: chat(f),
  chatServer: chatServer(f),
  udpServer: udpServer(f),
  udpSend: udpSend(f),
  serve: serve(f),
  addressFilter: addressFilter(f),
  impairment: impairment(f),
  compare: compare(f),
  compareHeadline: compareHeadline(f),
  link: link(f),
  compareCli: compareCli(f),
  wsServer: wsServer(f),
  wsClient: wsClient(f),
})
