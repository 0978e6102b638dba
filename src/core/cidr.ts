import { BlockList, isIP } from 'node:net'
import { invalidArg } from './errors.js'

/*
 * Address filtering for servers (`--allow <cidr>` / `--deny <cidr>`).
 *
 * Matching is delegated to node:net's BlockList: it stores IPv4 and IPv6 subnets, masks
 * host bits, and compares IPv4 against IPv6 rules through the IPv4-mapped form
 * (::ffff:a.b.c.d), which is exactly what a dual-stack server sees for an IPv4 peer. What
 * BlockList does not give is a useful error: it throws ERR_INVALID_ADDRESS / ERR_OUT_OF_RANGE
 * without naming the value, and it cannot tell us back what a rule was. So this module
 * parses and validates each rule itself (one sentence naming the bad value) and keeps the
 * parsed rules for reporting; only the matching is BlockList's.
 */

/** One parsed allow/deny rule. */
export interface Cidr {
  /** The network address as written (without the prefix), zone id removed. */
  address: string
  /** Prefix length in bits: 0–32 for IPv4, 0–128 for IPv6. A plain address gets 32 or 128. */
  prefix: number
  family: 'ipv4' | 'ipv6'
  /** Canonical text, `address/prefix`. */
  text: string
}

/** Rules for {@link createAddressFilter}. Each entry is an address or a CIDR block. */
export interface AddressFilterOptions {
  /** When given and not empty, only addresses inside one of these pass. */
  allow?: readonly string[]
  /** Addresses inside one of these never pass, even if also allowed (deny wins). */
  deny?: readonly string[]
}

/**
 * Decides whether a peer may connect. Takes a remote address as Node reports it
 * (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`, `fe80::1%eth0`); `undefined` is a peer that
 * already left.
 */
export interface AddressFilter {
  (address: string | undefined): boolean
  /** The parsed rules, for a "listening; allowing …" line. */
  readonly allow: readonly Cidr[]
  readonly deny: readonly Cidr[]
  /** True when there is at least one rule (false: everything passes). */
  readonly active: boolean
}

/** Remove an IPv6 zone id (`fe80::1%eth0`): it names an interface, not an address. */
const withoutZone = (address: string): string => {
  const percent = address.indexOf('%')
  return percent === -1 ? address : address.slice(0, percent)
}

/**
 * Parse an address (`10.1.2.3`, `::1`) or CIDR block (`10.0.0.0/8`, `fd00::/8`,
 * `::ffff:127.0.0.0/104`). Host bits below the prefix are allowed (`10.1.2.3/8` means
 * `10.0.0.0/8`), as in most firewalls. Names (`localhost`) are not accepted: a rule must
 * not depend on DNS. `what` names the list in the error ("allow", "deny").
 * @throws ERR_SOCKKIT_INVALID_ARG with one sentence naming the value.
 */
export const parseCidr = (value: string, what = 'address'): Cidr => {
  const text = String(value).trim()
  const slash = text.indexOf('/')
  const addressPart = withoutZone(slash === -1 ? text : text.slice(0, slash))
  const version = isIP(addressPart)
  if (version === 0) {
    throw invalidArg(text === '' ? 'coreCidrEmpty' : 'coreCidrNotAddress', { what, value: String(value) }, { value })
  }
  const family = version === 4 ? 'ipv4' : 'ipv6'
  const maxPrefix = version === 4 ? 32 : 128
  let prefix = maxPrefix
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1)
    prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
    if (!(prefix >= 0 && prefix <= maxPrefix)) {
      throw invalidArg('coreCidrPrefix', { what, value: String(value), maxPrefix, family: family === 'ipv4' ? 'IPv4' : 'IPv6' }, { value })
    }
  }
  return { address: addressPart, prefix, family, text: `${addressPart}/${prefix}` }
}

/** Split a comma-separated option value (`--allow 10.0.0.0/8,::1`) and validate each entry. */
export const parseCidrList = (value: string, what = 'address'): Cidr[] =>
  value.split(',').map(part => part.trim()).filter(part => part !== '').map(part => parseCidr(part, what))

const toBlockList = (rules: readonly Cidr[]): BlockList => {
  const list = new BlockList()
  for (const rule of rules) list.addSubnet(rule.address, rule.prefix, rule.family)
  return list
}

/**
 * Build a filter from allow and deny rules. Deny wins; with a non-empty allow list only
 * addresses inside it pass; with no rules at all everything passes. An address that is
 * not an IP (or `undefined`) fails whenever any rule is set — a filter fails closed.
 * IPv4 rules match IPv4-mapped IPv6 peers (`::ffff:127.0.0.1` is inside `127.0.0.0/8`).
 * @throws ERR_SOCKKIT_INVALID_ARG naming the first bad rule.
 */
export const createAddressFilter = (options: AddressFilterOptions = {}): AddressFilter => {
  const allow = (options.allow ?? []).map(rule => parseCidr(rule, 'allow'))
  const deny = (options.deny ?? []).map(rule => parseCidr(rule, 'deny'))
  const allowList = toBlockList(allow)
  const denyList = toBlockList(deny)
  const active = allow.length > 0 || deny.length > 0
  const filter = (address: string | undefined): boolean => {
    if (!active) return true
    if (address === undefined) return false
    const bare = withoutZone(address)
    const version = isIP(bare)
    if (version === 0) return false
    const family = version === 4 ? 'ipv4' : 'ipv6'
    if (denyList.check(bare, family)) return false
    return allow.length === 0 || allowList.check(bare, family)
  }
  return Object.assign(filter, { allow, deny, active })
}
