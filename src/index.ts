/**
 * sockkit's library: every capability the CLI has, as typed functions and classes
 * that return data and report through event callbacks. Nothing here prints or exits.
 */
export * from './constants.js'
export * from './errors.js'
export * from './parse.js'
export * from './preview.js'
export * from './addresses.js'
export * from './tcp-server.js'
export * from './sequence-tracker.js'
export * from './probe.js'
export * from './compare-stats.js'
export * from './snmp.js'
export * from './compare-types.js'
export * from './cidr.js'
export * from './seq-prefix.js'
export * from './udp-send.js'
export * from './udp-server.js'
export * from './tcp-client.js'
export * from './reflector.js'
export * from './local-reflector.js'
export * from './compare.js'
