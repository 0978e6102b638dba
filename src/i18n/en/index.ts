/**
 * The English catalogue: every sentence sockkit shows a person, by area. Its shape is the
 * `Catalog` type that every other language must fill completely (same keys, same parameters).
 * Each area lives in its own file; a message is a string or a function of named parameters.
 */
import type { Fmt } from '../fmt.js'
import { chat } from './chat.js'
import { chatServer } from './chat-server.js'
import { common } from './common.js'
import { errors } from './errors.js'
import { tcpServer } from './tcp-server.js'

export const en = (f: Fmt) => ({
  chat: chat(f),
  chatServer: chatServer(f),
  common: common(f),
  errors: errors(f),
  tcpServer: tcpServer(f),
})
