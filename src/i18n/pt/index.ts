/**
 * The Brazilian Portuguese catalogue: every area of the English one (src/i18n/en), typed by
 * `Catalog` so the compiler holds it complete (no English fallback). See docs/dev/glossary.md.
 */
import type { Catalog } from '../index.js'
import type { Fmt } from '../fmt.js'
import { addressFilter } from './address-filter.js'
import { chat } from './chat.js'
import { chatServer } from './chat-server.js'
import { cli } from './cli.js'
import { common } from './common.js'
import { compare } from './compare.js'
import { compareCli } from './compare-cli.js'
import { compareHeadline } from './compare-headline.js'
import { errors } from './errors.js'
import { explain } from './explain.js'
import { impairment } from './impairment.js'
import { link } from './link.js'
import { recvBuffer } from './recv-buffer.js'
import { serve } from './serve.js'
import { tcpClient } from './tcp-client.js'
import { tcpServer } from './tcp-server.js'
import { udpSend } from './udp-send.js'
import { udpServer } from './udp-server.js'
import { wsServer } from './ws-server.js'
import { wsClient } from './ws-client.js'

export const pt = (f: Fmt): Catalog => ({
  addressFilter: addressFilter(f),
  chat: chat(f),
  chatServer: chatServer(f),
  cli: cli(f),
  common: common(f),
  compare: compare(f),
  compareCli: compareCli(f),
  compareHeadline: compareHeadline(f),
  errors: errors(f),
  explain: explain(f),
  impairment: impairment(f),
  link: link(f),
  recvBuffer: recvBuffer(f),
  serve: serve(f),
  tcpClient: tcpClient(f),
  tcpServer: tcpServer(f),
  udpSend: udpSend(f),
  udpServer: udpServer(f),
  wsServer: wsServer(f),
  wsClient: wsClient(f),
})
