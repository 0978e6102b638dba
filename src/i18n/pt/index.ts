/**
 * The Brazilian Portuguese catalogue: every area of the English one (src/i18n/en), typed by
 * `Catalog` so the compiler holds it complete. See docs/dev/glossary.md for the terms.
 * Areas not yet translated fall back to the English area (marked below).
 */
import type { Catalog } from '../index.js'
import type { Fmt } from '../fmt.js'
import { en } from '../en/index.js'
import { chat } from './chat.js'
import { chatServer } from './chat-server.js'
import { cli } from './cli.js'
import { common } from './common.js'
import { compareHeadline } from './compare-headline.js'
import { explain } from './explain.js'
import { recvBuffer } from './recv-buffer.js'
import { serve } from './serve.js'
import { tcpClient } from './tcp-client.js'
import { tcpServer } from './tcp-server.js'
import { udpSend } from './udp-send.js'
import { udpServer } from './udp-server.js'
import { errors } from './errors.js'

export const pt = (f: Fmt): Catalog => {
  // Untranslated areas, until they land: English.
  const english = en(f)
  return {
    ...english,
    chat: chat(f),
    chatServer: chatServer(f),
    common: common(f),
    compareHeadline: compareHeadline(f),
    errors: errors(f),
    cli: cli(f),
    explain: explain(f),
    recvBuffer: recvBuffer(f),
    serve: serve(f),
    tcpClient: tcpClient(f),
    tcpServer: tcpServer(f),
    udpSend: udpSend(f),
    udpServer: udpServer(f),
  }
}
