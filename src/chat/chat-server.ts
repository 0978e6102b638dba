import type { Socket } from 'node:net'
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_PORT } from '../core/constants.js'
import { endWithGrace, TcpListener, type PeerInfo } from '../net/listener.js'
import { invalidArg } from '../core/errors.js'
import { DEFAULT_MAX_LINE_BYTES, LineSplitter, type SplitLine } from '../core/line-splitter.js'
import { checkName, MAX_NAME_LENGTH, sanitizeText, sanitizeTypedLine, type NameProblem } from '../core/sanitize.js'
import { CHAT_LANGUAGES, CHAT_MESSAGES, isChatLanguage, type ChatLanguage, type ChatMessages } from './chat-messages.js'
import { TELNET_IAC, TelnetCommandFilter } from './chat-telnet.js'

export { CHAT_LANGUAGES, CHAT_MESSAGES, parseChatLanguage, type ChatLanguage, type ChatMessages } from './chat-messages.js'

/** Messages a newcomer receives right after naming itself. */
export const DEFAULT_CHAT_HISTORY = 50
/** People connected at once (named or still choosing a name); the next one is refused politely. */
export const DEFAULT_CHAT_MAX_CLIENTS = 100
/** Lines per second a client may send, sustained. */
export const DEFAULT_FLOOD_LINES_PER_SECOND = 10
/** Lines a client may send in one burst above the sustained rate (a short paste). */
export const DEFAULT_FLOOD_BURST_LINES = 20
/** Ms a client may stay over the line rate before it is disconnected. */
export const DEFAULT_FLOOD_TIMEOUT_MS = 10_000
/** Bytes waiting for one client that does not read before it is disconnected (1 MiB). */
export const DEFAULT_CHAT_MAX_OUTPUT_BYTES = 1024 * 1024
/** Ms a new connection has to give a name. */
export const DEFAULT_NAME_TIMEOUT_MS = 120_000
/** Name the operator's lines appear under. */
export const DEFAULT_OPERATOR_NAME = 'server'
/**
 * What a new client is asked first with the default `lang: 'en'`. English and Spanish, because
 * the course this chat is built for is taught in Spanish and students meet it with `nc`, which
 * shows this line and nothing else: it has to be understood without any documentation.
 */
export const NAME_PROMPT = CHAT_MESSAGES.en.namePrompt
/** Language of the lines the server sends to clients. */
export const DEFAULT_CHAT_LANGUAGE: ChatLanguage = 'en'

/** Options for {@link ChatServer}. */
export interface ChatServerOptions {
  /** Port to listen on; 0 lets the OS pick. Default 9000. */
  port?: number
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string
  /** Name the operator's {@link ChatServer.say} lines appear under. Default `server`. */
  name?: string
  /** Messages kept and sent to each newcomer; 0 = none. Default 50. */
  historySize?: number
  /** Longest line, in bytes without the line ending; longer ones are cut. Default 4096. */
  maxLineBytes?: number
  /** Connections at once; more are refused with a polite line. Default 100. */
  maxClients?: number
  /** Close a client silent for this many ms; 0 = never. Default 0 (people read quietly). */
  idleTimeoutMs?: number
  /** Ms a connection has to give its name before it is closed. Default 120000. */
  nameTimeoutMs?: number
  /**
   * Ms a partial line may wait for its newline before it is taken as a whole line; 0 =
   * wait forever. Default 1000. Classroom clients often `send(name.encode())` with no
   * `\n` and then wait for an answer: without this they get silence, with it their line
   * is taken and they are told once to end lines with Enter. A partial line that came in
   * several reads (someone typing in a client that sends each keystroke, such as Windows
   * telnet) is never cut by this wait: it waits for its Enter.
   */
  unterminatedLineMs?: number
  /** Sustained lines per second per client; faster lines are held back. Default 10. */
  floodLinesPerSecond?: number
  /** Lines a client may send at once before the rate applies. Default 20. */
  floodBurstLines?: number
  /** Ms of being held back without a break before a client is disconnected. Default 10000. */
  floodTimeoutMs?: number
  /** Bytes waiting to be sent to one client before it is disconnected as not reading. Default 1 MiB. */
  maxOutputBytes?: number
  /** Send ANSI colour (names, dim notices) to clients. Default false: nc on Windows and many
   * classroom programs print escape codes as garbage. */
  colorClients?: boolean
  /** Prefix each line sent to clients with `[HH:MM] ` (server's local time). Default false. */
  timestamps?: boolean
  /**
   * Language of every line the server itself sends to clients (prompt, notices, /help…):
   * `en`, `es` or `pt` (Brazilian). Default `en`, whose prompt is bilingual. Events, and so the
   * operator's log, are not affected; command names (/who, /nick…) are the same in every
   * language. Never taken from the environment: the server's locale is not its clients'.
   */
  lang?: ChatLanguage
  /** Ms a closing connection gets to flush before it is destroyed. Default 1000. */
  closeGraceMs?: number
  /**
   * Who may connect, by remote address (`createAddressFilter` from `cidr.ts` fits). A peer
   * it rejects is destroyed at once — it sees no prompt, history or chat — and reported as
   * `denied`. Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: ChatServerEvent) => void
}

/** Why a client left. */
export type ChatLeaveReason =
  | 'quit' | 'closed' | 'reset' | 'error' | 'idle-timeout' | 'name-timeout'
  | 'flood' | 'slow-reader' | 'kicked' | 'server-stopped'

/**
 * Every event a {@link ChatServer} reports. `id` 0 is the operator. `remoteAddress` is '' (port 0)
 * for a peer that reset before its address could be read; the renderer words that.
 */
export type ChatServerEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[] }
  | { type: 'connected'; id: number; remoteAddress: string; remotePort: number; active: number }
  | { type: 'refused'; remoteAddress: string; remotePort: number; active: number; limit: number }
  /** Turned away by the address filter: destroyed at once, saw nothing of the chat. */
  | { type: 'denied'; remoteAddress: string; remotePort: number; denied: number }
  | { type: 'name-rejected'; id: number; attempt: string; problem: NameProblem }
  | { type: 'joined'; id: number; name: string; requestedName: string; remoteAddress: string; remotePort: number; present: number; historySent: number }
  | { type: 'message'; id: number; from: string; text: string; action: boolean }
  | { type: 'nick'; id: number; from: string; to: string }
  | { type: 'line-truncated'; id: number; name?: string; limitBytes: number }
  /** A partial line waited {@link ChatServerOptions.unterminatedLineMs} for its newline and was taken as it was. */
  | { type: 'unterminated-line'; id: number; name?: string; bytes: number; waitedMs: number }
  | { type: 'flood-throttled'; id: number; name?: string; linesPerSecond: number }
  | { type: 'left'; id: number; name: string; reason: ChatLeaveReason; messages: number; durationMs: number; code?: string }
  | { type: 'disconnected'; id: number; remoteAddress: string; remotePort: number; reason: ChatLeaveReason; code?: string }
  | { type: 'server-error'; code: string; message: string }

/** One person who took part, for the summary. */
export interface ChatParticipant {
  /** Their last name (after any /nick). */
  name: string
  remoteAddress: string
  remotePort: number
  /** Messages (and /me actions) they sent. */
  messages: number
  /** Still connected when the summary was taken. */
  present: boolean
  /** Why they left, once they have. */
  leaveReason?: ChatLeaveReason
}

/** Totals over the server's life, returned by {@link ChatServer.close}. */
export interface ChatSummary {
  /** Everyone who named themselves, in order of arrival. */
  participants: ChatParticipant[]
  /** Messages relayed, the operator's included. */
  messages: number
  /** Messages the operator sent. */
  operatorMessages: number
  /** Connections turned away because the chat was full. */
  refused: number
  /** Connections turned away by the address filter (`--allow` / `--deny`). */
  denied: number
  /** Most connections open at once. */
  peakClients: number
  /** Clients disconnected for flooding or for not reading. */
  dropped: number
  durationMs: number
}

interface HistoryEntry { time: number; from: string; text: string; action: boolean }

interface ChatClient {
  id: number
  socket: Socket
  remoteAddress: string
  remotePort: number
  connectedAt: number
  splitter: LineSplitter
  /** Lines read but not yet handled: held back while the client is over its line rate. */
  queue: SplitLine[]
  /** Token bucket for the line rate. */
  tokens: number
  refilledAt: number
  drainTimer?: NodeJS.Timeout
  nameTimer?: NodeJS.Timeout
  /** Fires after idleTimeoutMs without a byte from the client (what others say does not count). */
  idleTimer?: NodeJS.Timeout
  /** Waits for the newline of a partial line (unterminatedLineMs). */
  partialTimer?: NodeJS.Timeout
  /** Told once that lines should end with a newline. */
  toldAboutNewline?: boolean
  /**
   * Reads that built the current partial line. More than one means someone is typing into
   * a client that sends each keystroke (Windows telnet): that line waits for its Enter.
   */
  partialReads: number
  /** Any byte received yet: the first one says whether this is a telnet client. */
  sentData?: boolean
  /** Set when the connection opened with a telnet command (PuTTY's Telnet mode): strips them all. */
  telnet?: TelnetCommandFilter
  /** When the client went over its line rate and stayed there; unset while it behaves. */
  throttledSince?: number
  participant?: ChatParticipant
  /** The peer half-closed: finish its queued lines, then close. */
  ended: boolean
  /** We are closing it: ignore anything more it sends. */
  closing: boolean
  reason?: ChatLeaveReason
  error?: Error & { code?: string }
  /** Bytes waiting when it was dropped as a slow reader. */
  waitingBytes?: number
}

const CRLF = '\r\n'
const NAME_COLOURS = [31, 32, 33, 34, 35, 36]

/**
 * A line-based chat room over TCP that `nc`, `telnet` or any classroom client can join.
 * Each client first gives a name, then every line it sends goes to everyone else as
 * `name: text`. The operator takes part through {@link ChatServer.say}. Everything a client
 * sends is cleaned of terminal controls ({@link sanitizeText}) before anyone sees it.
 *
 * Limits: lines over `maxLineBytes` are cut; a client over `floodLinesPerSecond` is held
 * back (its socket is not read, so TCP slows it down) and disconnected after
 * `floodTimeoutMs` of that; a client that does not read is disconnected once
 * `maxOutputBytes` wait for it. No client can make the server buffer without bound.
 */
export class ChatServer {
  readonly options: Required<Omit<ChatServerOptions, 'onEvent' | 'addressFilter'>> & Pick<ChatServerOptions, 'onEvent' | 'addressFilter'>
  private readonly listener: TcpListener
  /** What clients are told, in the chosen language. */
  private readonly text: ChatMessages
  private readonly clients = new Map<number, ChatClient>()
  private readonly history: HistoryEntry[] = []
  private readonly participants: ChatParticipant[] = []
  private readonly totals = { messages: 0, operatorMessages: 0, dropped: 0 }
  private nextId = 1
  private startedAt = 0
  private closing = false

  /** Throws ERR_SOCKKIT_INVALID_ARG for an operator name or a limit that cannot work. */
  constructor (options: ChatServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      name: options.name ?? DEFAULT_OPERATOR_NAME,
      historySize: options.historySize ?? DEFAULT_CHAT_HISTORY,
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      maxClients: options.maxClients ?? DEFAULT_CHAT_MAX_CLIENTS,
      idleTimeoutMs: options.idleTimeoutMs ?? 0,
      nameTimeoutMs: options.nameTimeoutMs ?? DEFAULT_NAME_TIMEOUT_MS,
      unterminatedLineMs: options.unterminatedLineMs ?? 1000,
      floodLinesPerSecond: options.floodLinesPerSecond ?? DEFAULT_FLOOD_LINES_PER_SECOND,
      floodBurstLines: options.floodBurstLines ?? DEFAULT_FLOOD_BURST_LINES,
      floodTimeoutMs: options.floodTimeoutMs ?? DEFAULT_FLOOD_TIMEOUT_MS,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_CHAT_MAX_OUTPUT_BYTES,
      colorClients: options.colorClients ?? false,
      timestamps: options.timestamps ?? false,
      lang: options.lang ?? DEFAULT_CHAT_LANGUAGE,
      closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      addressFilter: options.addressFilter,
      onEvent: options.onEvent,
    }
    if (!isChatLanguage(this.options.lang)) {
      throw invalidArg('chatLangUnknown', { languages: CHAT_LANGUAGES, value: String(this.options.lang) }, { value: this.options.lang })
    }
    this.text = CHAT_MESSAGES[this.options.lang]
    const checked = checkName(this.options.name)
    if (!checked.ok || checked.name !== this.options.name) {
      throw invalidArg('chatOperatorNameInvalid', { max: MAX_NAME_LENGTH, value: this.options.name }, { value: this.options.name })
    }
    for (const key of ['maxLineBytes', 'maxClients', 'floodLinesPerSecond', 'floodBurstLines', 'maxOutputBytes'] as const) {
      if (!(this.options[key] > 0)) throw invalidArg('chatLimitNotPositive', { option: key, value: this.options[key] }, { value: this.options[key] })
    }
    this.listener = new TcpListener({
      host: this.options.host,
      port: this.options.port,
      maxConnections: this.options.maxClients,
      closeGraceMs: this.options.closeGraceMs,
      addressFilter: this.options.addressFilter,
      onConnection: (socket, peer) => this.accept(socket, peer),
      onDenied: peer => this.emit({ type: 'denied', ...peer }),
      onRefused: (socket, { remoteAddress, remotePort, active, limit, reason }) => {
        this.emit({ type: 'refused', remoteAddress, remotePort, active, limit })
        const why = reason === 'shutting-down' ? this.text.refusedClosing : this.text.refusedFull({ max: limit })
        void endWithGrace(socket, this.options.closeGraceMs, `* ${why}${CRLF}`)
      },
      onError: err => this.emit({ type: 'server-error', code: err.code ?? 'ERROR', message: err.message }),
    })
  }

  /** Connections open right now (named or still asked for a name). */
  get activeConnections (): number {
    return this.clients.size
  }

  /** The bound address, once listening. */
  address (): { address: string; port: number; family: string } {
    return this.listener.address()
  }

  /** Start listening. Rejects with Node's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
  async listen (): Promise<{ address: string; port: number; family: string }> {
    const { reachable, ...a } = await this.listener.listen()
    this.startedAt = Date.now()
    this.emit({ type: 'listening', ...a, reachable })
    return a
  }

  /** Names of everyone in the chat now, the operator first. */
  who (): string[] {
    return [this.options.name, ...this.namedClients().map(c => c.participant!.name)]
  }

  /**
   * The most bytes waiting to be written to any one client now. The operator's input can
   * wait while it is high: a long paste said at once would otherwise pass
   * `maxOutputBytes` for clients that are reading, just not that fast.
   */
  outputBacklogBytes (): number {
    let most = 0
    for (const client of this.clients.values()) most = Math.max(most, client.socket.writableLength)
    return most
  }

  /** The named clients present now, with their connection ids (what {@link kick} accepts as `#id`). */
  present (): Array<{ id: number; name: string }> {
    return this.namedClients().map(c => ({ id: c.id, name: c.participant!.name }))
  }

  /**
   * The operator says `text` to everyone (cleaned like any client's line). Lines starting
   * with `/me ` are actions. Returns false when there was nothing to say (blank after
   * cleaning) or the server is closing.
   */
  say (text: string): boolean {
    if (this.closing) return false
    const clean = sanitizeText(text)
    if (clean.trim() === '') return false
    const action = /^\/me\s+\S/i.test(clean)
    this.relay(undefined, action ? clean.replace(/^\/me\s+/i, '') : clean, action)
    return true
  }

  /**
   * Disconnect one client, telling everyone: `target` is a name (any case) or `#id`, the
   * connection number the events carry — for a name nobody can type. Returns false if
   * nobody matches.
   */
  kick (target: string): boolean {
    const byId = /^#(\d+)$/.exec(target.trim())
    const client = byId
      ? this.namedClients().find(c => c.id === Number(byId[1]))
      : this.findByName(target.trim().normalize('NFKC'))
    if (!client) return false
    this.dismiss(client, 'kicked', this.text.kicked({ operator: this.options.name }))
    return true
  }

  /**
   * Stop accepting, say goodbye to every client, close their connections (each gets
   * `closeGraceMs` to flush, then is destroyed) and resolve with the totals.
   */
  async close (): Promise<ChatSummary> {
    this.closing = true
    const bySocket = new Map([...this.clients.values()].map(client => [client.socket, client]))
    await this.listener.close(socket => {
      const client = bySocket.get(socket)
      if (client) this.dismiss(client, 'server-stopped', this.text.closing)
    })
    return this.summary()
  }

  /** Totals so far. */
  summary (): ChatSummary {
    const { refused, denied, peak } = this.listener.totals
    const { messages, operatorMessages, dropped } = this.totals
    return {
      participants: this.participants.map(p => ({ ...p })),
      messages, operatorMessages, refused, denied, peakClients: peak, dropped,
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  private emit (event: ChatServerEvent): void {
    this.options.onEvent?.(event)
  }

  private namedClients (): ChatClient[] {
    return [...this.clients.values()].filter(c => c.participant !== undefined && !c.closing)
  }

  private findByName (name: string, except?: ChatClient): ChatClient | undefined {
    const wanted = name.toLowerCase()
    return this.namedClients().find(c => c !== except && c.participant!.name.toLowerCase() === wanted)
  }

  private isTaken (name: string, except?: ChatClient): boolean {
    return name.toLowerCase() === this.options.name.toLowerCase() || this.findByName(name, except) !== undefined
  }

  /** `ana`, or `ana-2`, `ana-3`… when taken (case-insensitively), kept within the length limit. */
  private uniqueName (wanted: string): string {
    if (!this.isTaken(wanted)) return wanted
    for (let n = 2; ; n++) {
      const suffix = `-${n}`
      const base = [...wanted].slice(0, MAX_NAME_LENGTH - suffix.length).join('')
      if (!this.isTaken(base + suffix)) return base + suffix
    }
  }

  // ---- formatting what clients see -------------------------------------------------

  private stamp (time: number): string {
    if (!this.options.timestamps) return ''
    const d = new Date(time)
    return `[${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}] `
  }

  private styledName (name: string): string {
    if (!this.options.colorClients) return name
    let hash = 0
    for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0
    return `\x1b[1;${NAME_COLOURS[hash % NAME_COLOURS.length]}m${name}\x1b[0m`
  }

  private renderMessage (entry: HistoryEntry): string {
    // "~ ana waves" for /me: a distinct mark, so an action can never pass for a "* …" notice.
    return entry.action
      ? `${this.stamp(entry.time)}~ ${this.styledName(entry.from)} ${entry.text}`
      : `${this.stamp(entry.time)}${this.styledName(entry.from)}: ${entry.text}`
  }

  private renderNotice (text: string, time = Date.now()): string {
    const line = `* ${text}`
    return this.stamp(time) + (this.options.colorClients ? `\x1b[2m${line}\x1b[0m` : line)
  }

  // ---- sending ----------------------------------------------------------------------

  /** Queue lines for one client; drop it if too much is already waiting for it. */
  private send (client: ChatClient, ...lines: string[]): void {
    const { socket } = client
    if (socket.destroyed || !socket.writable) return
    socket.write(lines.join(CRLF) + CRLF)
    if (socket.writableLength > this.options.maxOutputBytes && client.reason === undefined) {
      // It is not reading: what it owes us would grow without bound. Let it go.
      client.waitingBytes = socket.writableLength
      client.reason = 'slow-reader'
      client.closing = true
      this.totals.dropped++
      socket.destroy()
    }
  }

  private notice (client: ChatClient, text: string): void {
    this.send(client, this.renderNotice(text))
  }

  /** A line for every named client but `except`. */
  private broadcast (line: string, except?: ChatClient): void {
    for (const client of this.namedClients()) if (client !== except) this.send(client, line)
  }

  private relay (from: ChatClient | undefined, text: string, action: boolean): void {
    const name = from ? from.participant!.name : this.options.name
    const entry: HistoryEntry = { time: Date.now(), from: name, text, action }
    if (this.options.historySize > 0) {
      this.history.push(entry)
      if (this.history.length > this.options.historySize) this.history.shift()
    }
    this.totals.messages++
    if (from) from.participant!.messages++
    else this.totals.operatorMessages++
    this.emit({ type: 'message', id: from?.id ?? 0, from: name, text, action })
    // Not echoed to the sender: nc and telnet already show what was typed.
    this.broadcast(this.renderMessage(entry), from)
  }

  // ---- connections ------------------------------------------------------------------

  private accept (socket: Socket, peer: PeerInfo): void {
    const { remoteAddress, remotePort } = peer
    const now = Date.now()
    const client: ChatClient = {
      id: this.nextId++, socket, remoteAddress, remotePort, connectedAt: now,
      splitter: new LineSplitter(this.options.maxLineBytes), queue: [], partialReads: 0,
      tokens: this.options.floodBurstLines, refilledAt: now, ended: false, closing: false,
    }
    this.clients.set(client.id, client)
    this.emit({ type: 'connected', id: client.id, remoteAddress, remotePort, active: this.clients.size })

    socket.on('data', (chunk: Buffer) => this.onData(client, chunk))
    socket.on('end', () => {
      if (client.closing) return
      client.ended = true
      client.queue.push(...client.splitter.end())
      this.drain(client)
    })
    socket.on('error', err => {
      client.error = err
      client.reason ??= (err as { code?: string }).code === 'ECONNRESET' ? 'reset' : 'error'
    })
    socket.on('close', () => this.onClose(client))

    if (this.options.idleTimeoutMs > 0) {
      // Idle means the client sent nothing: a socket timeout would also count the lines
      // the chat writes to it, so a lurker in a busy room would never time out.
      client.idleTimer = setTimeout(() => {
        this.dismiss(client, 'idle-timeout', this.text.idleDisconnected({ ms: this.options.idleTimeoutMs }))
      }, this.options.idleTimeoutMs)
      client.idleTimer.unref()
    }
    if (this.options.nameTimeoutMs > 0) {
      client.nameTimer = setTimeout(() => {
        if (!client.participant) this.dismiss(client, 'name-timeout', this.text.nameTimeout)
      }, this.options.nameTimeoutMs)
      client.nameTimer.unref()
    }
    this.send(client, this.text.namePrompt)
  }

  /** Say why, close our side, and destroy the socket if it has not gone within the grace period. */
  private dismiss (client: ChatClient, reason: ChatLeaveReason, why: string): void {
    if (client.closing && client.reason !== undefined) return
    client.reason ??= reason
    if (reason === 'flood') this.totals.dropped++
    this.notice(client, why)
    client.closing = true
    client.queue = []
    clearTimeout(client.drainTimer)
    client.socket.pause()
    void endWithGrace(client.socket, this.options.closeGraceMs)
  }

  private onData (client: ChatClient, chunk: Buffer): void {
    if (client.closing) return
    client.idleTimer?.refresh()
    // No text starts with 0xFF (it is never UTF-8): a first byte IAC is telnet negotiation.
    if (!client.sentData && chunk.length > 0) {
      client.sentData = true
      if (chunk[0] === TELNET_IAC) client.telnet = new TelnetCommandFilter()
    }
    if (client.telnet) {
      chunk = client.telnet.push(chunk)
      if (chunk.length === 0) return
    }
    const idle = client.queue.length === 0 && client.drainTimer === undefined
    for (const line of client.splitter.push(chunk)) {
      // A blank line from someone already named says nothing; it does not even cost a token.
      if (client.participant && line.bytes.length === 0 && !line.truncated) continue
      client.queue.push(line)
    }
    client.partialReads = client.splitter.bufferedBytes === 0 ? 0 : chunk.includes(0x0a) ? 1 : client.partialReads + 1
    this.watchPartialLine(client)
    if (idle && client.throttledSince !== undefined) {
      // Back under the rate: the new line found a token waiting for it.
      this.refill(client)
      if (client.tokens >= 1) client.throttledSince = undefined
    }
    this.drain(client)
  }

  /** (Re)start the wait for a partial line's newline; take the line as it is when it runs out. */
  private watchPartialLine (client: ChatClient): void {
    clearTimeout(client.partialTimer)
    client.partialTimer = undefined
    const waitMs = this.options.unterminatedLineMs
    if (waitMs <= 0 || client.splitter.bufferedBytes === 0 || client.partialReads > 1) return
    client.partialTimer = setTimeout(() => {
      client.partialTimer = undefined
      if (client.closing || client.ended || client.splitter.bufferedBytes === 0) return
      const lines = client.splitter.end()
      client.partialReads = 0
      if (lines.length === 0) return
      this.emit({ type: 'unterminated-line', id: client.id, ...(client.participant ? { name: client.participant.name } : {}), bytes: lines[0]!.bytes.length, waitedMs: waitMs })
      if (!client.toldAboutNewline) {
        client.toldAboutNewline = true
        this.notice(client, this.text.noNewline({ ms: waitMs }))
      }
      const idle = client.queue.length === 0 && client.drainTimer === undefined
      client.queue.push(...lines)
      if (idle) this.drain(client)
    }, waitMs)
    client.partialTimer.unref()
  }

  private refill (client: ChatClient): void {
    const now = Date.now()
    const { floodLinesPerSecond: rate, floodBurstLines: burst } = this.options
    client.tokens = Math.min(burst, client.tokens + (now - client.refilledAt) * rate / 1000)
    client.refilledAt = now
  }

  /** Handle queued lines as fast as the client's line rate allows; hold the rest back. */
  private drain (client: ChatClient): void {
    if (client.drainTimer !== undefined) return
    while (client.queue.length > 0 && !client.closing) {
      this.refill(client)
      if (client.tokens < 1) {
        const now = Date.now()
        if (client.throttledSince === undefined) {
          client.throttledSince = now
          const rate = this.options.floodLinesPerSecond
          this.emit({ type: 'flood-throttled', id: client.id, name: client.participant?.name, linesPerSecond: rate })
          this.notice(client, this.text.slowDown({ rate, seconds: Math.round(this.options.floodTimeoutMs / 100) / 10 }))
        } else if (now - client.throttledSince >= this.options.floodTimeoutMs) {
          this.dismiss(client, 'flood', this.text.floodDisconnected)
          return
        }
        // Stop reading it: its lines wait in the kernel, and TCP slows the sender down.
        client.socket.pause()
        const waitMs = Math.max(1, Math.ceil((1 - client.tokens) * 1000 / this.options.floodLinesPerSecond))
        client.drainTimer = setTimeout(() => {
          client.drainTimer = undefined
          this.drain(client)
        }, waitMs)
        return
      }
      client.tokens -= 1
      this.handleLine(client, client.queue.shift()!)
    }
    if (client.closing) return
    if (client.ended) {
      client.reason ??= 'closed'
      client.socket.end()
    } else if (client.socket.isPaused()) {
      client.socket.resume()
    }
  }

  private handleLine (client: ChatClient, line: SplitLine): void {
    if (line.truncated) {
      this.emit({ type: 'line-truncated', id: client.id, name: client.participant?.name, limitBytes: this.options.maxLineBytes })
      this.notice(client, this.text.lineTruncated({ max: this.options.maxLineBytes }))
    }
    const text = sanitizeTypedLine(line.bytes)
    if (!client.participant) {
      this.handleName(client, text)
      return
    }
    if (text.trim() === '') return
    if (text.startsWith('/') && !text.startsWith('//')) {
      this.handleCommand(client, text)
      return
    }
    // "//etc" sends "/etc": the way to start a message with a slash.
    this.relay(client, text.startsWith('//') ? text.slice(1) : text, false)
  }

  private handleName (client: ChatClient, text: string): void {
    if (text.trim().toLowerCase() === '/quit') {
      this.dismiss(client, 'quit', this.text.byeBeforeName)
      return
    }
    const checked = checkName(text)
    if (!checked.ok) {
      this.emit({ type: 'name-rejected', id: client.id, attempt: text.slice(0, 64), problem: checked.problem })
      const why = checked.problem === 'empty' ? this.text.nameEmpty
        : checked.problem === 'too-long' ? this.text.nameTooLong({ max: MAX_NAME_LENGTH })
          : this.text.nameInvalid
      this.send(client, this.renderNotice(why), this.text.namePrompt)
      return
    }
    this.join(client, checked.name)
  }

  private join (client: ChatClient, requestedName: string): void {
    const name = this.uniqueName(requestedName)
    clearTimeout(client.nameTimer)
    const others = this.who()
    client.participant = {
      name, remoteAddress: client.remoteAddress, remotePort: client.remotePort, messages: 0, present: true,
    }
    this.participants.push(client.participant)
    const lines: string[] = []
    if (name !== requestedName) lines.push(this.renderNotice(this.text.nameTaken({ requested: requestedName, given: name })))
    lines.push(this.renderNotice(this.text.welcome({ name, here: others })))
    const history = this.history.slice(-this.options.historySize)
    if (history.length > 0) {
      lines.push(this.renderNotice(this.text.historyStart({ n: history.length })))
      for (const entry of history) lines.push(this.renderMessage(entry))
      lines.push(this.renderNotice(this.text.historyEnd))
    }
    this.send(client, ...lines)
    this.broadcast(this.renderNotice(this.text.joined({ name })), client)
    this.emit({
      type: 'joined', id: client.id, name, requestedName, remoteAddress: client.remoteAddress, remotePort: client.remotePort,
      present: this.namedClients().length, historySent: history.length,
    })
  }

  private handleCommand (client: ChatClient, text: string): void {
    const match = /^\/(\S*)\s*([\s\S]*)$/.exec(text)!
    const command = match[1]!.toLowerCase()
    const argument = match[2]!.trim()
    const me = client.participant!
    switch (command) {
      case 'who': {
        const names = this.who().map((n, i) => i === 0 ? this.text.operatorTag({ name: n }) : n === me.name ? this.text.youTag({ name: n }) : n)
        this.notice(client, this.text.who({ names }))
        break
      }
      case 'nick': {
        const checked = checkName(argument)
        if (!checked.ok) {
          this.notice(client, this.text.nickUsage({ max: MAX_NAME_LENGTH }))
        } else if (checked.name === me.name) {
          this.notice(client, this.text.nickSame({ name: me.name }))
        } else if (this.isTaken(checked.name, client)) {
          this.notice(client, this.text.nickTaken({ name: checked.name }))
        } else {
          const from = me.name
          me.name = checked.name
          const line = this.renderNotice(this.text.nickChanged({ from, to: me.name }))
          this.broadcast(line)
          this.emit({ type: 'nick', id: client.id, from, to: me.name })
        }
        break
      }
      case 'me':
        if (argument === '') this.notice(client, this.text.meUsage)
        else this.relay(client, argument, true)
        break
      case 'quit':
        this.dismiss(client, 'quit', this.text.byeQuit({ name: me.name }))
        break
      case 'help':
        this.send(client, ...this.text.help({ name: me.name }).map(line => this.renderNotice(line)))
        break
      default:
        this.notice(client, this.text.unknownCommand({ command }))
    }
  }

  private onClose (client: ChatClient): void {
    this.clients.delete(client.id)
    clearTimeout(client.drainTimer)
    clearTimeout(client.nameTimer)
    clearTimeout(client.partialTimer)
    clearTimeout(client.idleTimer)
    client.queue = []
    const reason = client.reason ?? 'closed'
    const code = client.error ? { code: client.error.code ?? 'ERROR' } : {}
    const person = client.participant
    if (!person) {
      this.emit({ type: 'disconnected', id: client.id, remoteAddress: client.remoteAddress, remotePort: client.remotePort, reason, ...code })
      return
    }
    person.present = false
    person.leaveReason = reason
    this.emit({ type: 'left', id: client.id, name: person.name, reason, messages: person.messages, durationMs: Date.now() - client.connectedAt, ...code })
    if (reason === 'server-stopped') return
    this.broadcast(this.renderNotice(this.leaveNotice(person.name, reason, client)))
  }

  private leaveNotice (name: string, reason: ChatLeaveReason, client: ChatClient): string {
    switch (reason) {
      case 'reset': return this.text.leftReset({ name })
      case 'error': return this.text.leftError({ name })
      case 'idle-timeout': return this.text.leftIdle({ name })
      case 'flood': return this.text.leftFlood({ name })
      case 'slow-reader': return this.text.leftSlowReader({ name, bytes: client.waitingBytes ?? 0 })
      case 'kicked': return this.text.leftKicked({ name, operator: this.options.name })
      default: return this.text.left({ name })
    }
  }
}

/** Create and start a {@link ChatServer}; resolves once it is listening. */
export const startChatServer = async (options: ChatServerOptions = {}): Promise<ChatServer> => {
  const server = new ChatServer(options)
  await server.listen()
  return server
}
