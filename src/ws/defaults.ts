/** ws-server and ws-client defaults, in a file of their own so the CLI's option list does not load `ws`. */

/** ws-server's default port (the usual one in WebSocket tutorials). */
export const DEFAULT_WS_PORT = 8080
/** Largest message accepted by default; a larger one closes the connection with 1009. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024
/** Ping every open connection this often (ms); one that has not answered the previous ping is dropped. */
export const DEFAULT_PING_INTERVAL_MS = 30_000
/** How long ws-client waits for replies after its input ended, ms. */
export const DEFAULT_WS_WAIT_MS = 1000
