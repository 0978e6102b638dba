/** Port every server and client uses when none is given. */
export const DEFAULT_PORT = 9000
/** Servers bind here unless told `--host`: loopback only, the safe default. */
export const DEFAULT_HOST = '127.0.0.1'
/** Largest UDP payload over IPv4: 65535 − 8 (UDP header) − 20 (IPv4 header). */
export const MAX_UDP_PAYLOAD_IPV4 = 65507
/** Largest UDP payload over IPv6 without jumbograms: 65535 − 8 (UDP header). */
export const MAX_UDP_PAYLOAD_IPV6 = 65527
/** Connect timeout for TCP clients, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000
/** How long a UDP sender waits for replies after its last datagram, ms. */
export const DEFAULT_UDP_WAIT_MS = 1000
/** Bytes shown in a per-read / per-datagram preview. */
export const DEFAULT_PREVIEW_BYTES = 48
/** Default cap on simultaneous TCP connections per server. */
export const DEFAULT_MAX_CONNECTIONS = 1000
/** Default idle timeout for server connections, ms (5 minutes; 0 disables). */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000
/** Clients a tcp-server with --queue holds waiting for a slot, when no number is given. */
export const DEFAULT_QUEUE_LIMIT = 100
/** A tcp-server client that has sent nothing this long (ms) after connecting is reported as `silent` once. */
export const DEFAULT_SILENT_AFTER_MS = 3000
/** When a server stops, each open connection gets this long to take what it is owed, ms. */
export const DEFAULT_CLOSE_GRACE_MS = 1000

/**
 * Connections the kernel may queue before we accept them. Node's default is 511; a burst
 * larger than that (a load generator, a class connecting at once) overflows the queue and
 * each dropped SYN costs its client a 1 s retransmit. The kernel caps the value at its own
 * limit (Linux net.core.somaxconn, 4096 on current kernels; macOS kern.ipc.somaxconn).
 */
export const LISTEN_BACKLOG = 4096
