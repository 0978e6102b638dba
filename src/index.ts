/**
 * sockkit's library: what the CLI can do, as typed functions and classes that return data and
 * report through event callbacks. Nothing here prints or exits. Every name is listed on
 * purpose (no `export *`): adding one is a decision about the public API, see
 * docs/dev/architecture.md.
 */

// Defaults shared by every server and client (host, port, limits, timeouts).
export {
  DEFAULT_HOST, DEFAULT_PORT, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_UDP_WAIT_MS, DEFAULT_PREVIEW_BYTES,
  DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_CLOSE_GRACE_MS, LISTEN_BACKLOG,
  MAX_UDP_PAYLOAD_IPV4, MAX_UDP_PAYLOAD_IPV6,
} from './core/constants.js'

// Errors: every library error has a stable `code`; `hasCode` narrows an unknown to one.
export { sockkitError, invalidArg, hasCode, type SockkitError, type SockkitErrorCode, type ErrorKey, type ErrorParams } from './core/errors.js'

// Parsing what a person typed (ports, hosts, durations, rates, escapes, CIDR lists).
export {
  parsePort, parseHost, parsePositiveInt, parseNonNegativeInt, parsePositiveNumber, parseMilliseconds,
  parseRate, parsePercent, unescapeBytes, unescapeText, unknownEscapes, MAX_TIMER_MS,
} from './core/parse.js'
export { parseCidr, parseCidrList, createAddressFilter, type Cidr, type AddressFilter, type AddressFilterOptions } from './core/cidr.js'
export { formatAddress, isLoopback, isWildcard } from './core/addresses.js'

// Servers: TCP echo, UDP echo with sequence tracking, the line chat.
export {
  TcpEchoServer, startTcpEchoServer, type TcpServerOptions, type TcpServerEvent, type TcpServerSummary,
  type TcpConnectionStats, type CloseReason, type RefusalReason,
} from './servers/tcp-server.js'
export {
  UdpServer, startUdpServer, DEFAULT_MAX_UDP_PEERS, type UdpServerOptions, type UdpServerEvent,
  type UdpServerSummary, type UdpPeerSummary, type PeerSeqStats, type PeerSeqSummary,
} from './servers/udp-server.js'
export {
  ChatServer, startChatServer, CHAT_LANGUAGES, parseChatLanguage, type ChatLanguage, type ChatServerOptions,
  type ChatServerEvent, type ChatParticipant, type ChatSummary, type ChatLeaveReason,
} from './chat/chat-server.js'

// Clients: a TCP client that half-closes on EOF, a UDP sender that waits for replies.
export {
  runTcpClient, createCrlfConverter, type TcpClientOptions, type TcpClientEvent, type TcpClientResult,
  type TcpClientEnd, type TcpClientTotals,
} from './clients/tcp-client.js'
export {
  udpSend, datagramLines, maxDatagramBytes, type UdpSendOptions, type UdpSendEvent, type UdpSendResult,
  type UdpMessage, type UdpSeqReport, type NotSentReason,
} from './clients/udp-send.js'

// Sequence numbers: the `#n ` prefix udp-send writes and a receiver's loss/reorder tracker.
export { encodeSeq, parseSeq, seqPrefixBytes } from './core/seq-prefix.js'
export { SequenceTracker, type SequenceTrackerOptions, type SequenceObservation, type SequenceTotals } from './core/sequence-tracker.js'

// compare: the runner, its configuration, the transports it drives and the findings it computes.
export {
  runCompare, runCompareDetailed, makeCompareConfig, defaultTransports, transportRegistry, tcpTransport, udpTransport,
  DEFAULT_COMPARE_COUNT, DEFAULT_COMPARE_RATE, DEFAULT_COMPARE_SIZE, MAX_COMPARE_COUNT, type CompareOptions,
} from './compare/compare.js'
export type {
  CompareConfig, CompareResult, CompareEvent, CompareTarget, CompareTransportResult, RunCompareOptions, KernelReport,
} from './compare/compare-types.js'
export type {
  TransportId, TransportTraits, TransportAdapter, TransportChannel, TransportRegistry, Finding, FindingLevel,
} from './compare/transport-types.js'
export { compareFindings, type CompareFinding, type FindingCode, type FindingParams } from './compare/findings.js'

// The probe wire format and the reflector that echoes probes (in this process or another).
export { encodeProbe, decodeProbe, PROBE_HEADER_BYTES, MAX_PROBE_BYTES, type ProbeHeader } from './probe/probe.js'
export {
  Reflector, startReflector, tcpEndpoint, udpEndpoint, type ReflectorOptions, type ReflectorEvent, type ReflectorSummary,
  type ReflectorEndpoint,
} from './probe/reflector.js'
export { startLocalReflector, type LocalReflector, type LocalReflectorOptions } from './probe/local-reflector.js'

// Impairment: loss, delay, jitter, reordering and duplication on a relay or in nftables.
export { normalizeImpairment, IMPAIRMENT_KINDS, MAX_IMPAIRMENT_DELAY_MS, type Impairment, type ImpairmentKind } from './impairment/model.js'
export { describeImpairment, expectedRoundTrip } from './impairment/expectation.js'
export {
  startImpairment, type StartImpairmentOptions, type ImpairmentEvent, type ImpairmentReport, type RunningImpairment,
} from './impairment/start.js'

// Kernel counters (/proc/net/snmp) behind the "why was it lost" findings.
export { readSnmp, diffSnmp, type SnmpCounters, type SnmpDelta } from './net/snmp.js'

// The message catalogue: every sentence sockkit shows, by language.
export { catalog, LANGS, type Catalog, type Lang } from './i18n/index.js'
