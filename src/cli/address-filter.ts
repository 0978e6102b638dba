import type { Command } from 'commander'
import { isIPv4, isIPv6 } from 'node:net'
import { createAddressFilter, parseCidrList, type AddressFilter, type Cidr } from '../core/cidr.js'
import type { Catalog } from '../i18n/index.js'
import { argParser } from './action.js'

/*
 * `--allow <cidr,…>` / `--deny <cidr,…>` for every server command, parsed the same way
 * everywhere: repeatable, comma lists, a bad entry is a usage error naming it (exit 2).
 */

/** This file's messages, in the run's language; every function takes them last. */
type Text = Catalog['addressFilter']

/** The flags {@link addAddressFilterOptions} adds, as commander hands them to the action. */
export interface AddressFilterFlags {
  allow?: Cidr[]
  deny?: Cidr[]
}

const collect = (what: 'allow' | 'deny') =>
  (value: string, previous: Cidr[] | undefined): Cidr[] => [...(previous ?? []), ...argParser(v => parseCidrList(v, what))(value)]

/** Add --allow and --deny to a server command. */
export const addAddressFilterOptions = (command: Command, t: Text): Command =>
  command
    .option('--allow <cidr,…>', t.help.allow, collect('allow'))
    .option('--deny <cidr,…>', t.help.deny, collect('deny'))

/** The filter for the library, or undefined when no rule was given (everything passes, nothing is checked). */
export const addressFilterFrom = (flags: AddressFilterFlags): AddressFilter | undefined => {
  if (!flags.allow?.length && !flags.deny?.length) return undefined
  return createAddressFilter({ allow: flags.allow?.map(rule => rule.text), deny: flags.deny?.map(rule => rule.text) })
}

/** Why `filter` turned `address` away, in the words of the options: "in --deny 10.0.0.0/8" or "not in --allow". */
export const deniedBecause = (filter: AddressFilter | undefined, address: string, t: Text): string => {
  if (filter === undefined) return t.denied.filtered
  if (address === '') return t.denied.unreadable
  if (filter.deny.length > 0) {
    const matching = filter.deny.find(rule => createAddressFilter({ deny: [rule.text] })(address) === false)
    if (matching) return t.denied.inDeny({ rule: matching.text })
  }
  return t.denied.notInAllow
}

/** "allowing 10.0.0.0/8; denying 10.0.0.5/32" for the listening line, or '' without rules. */
export const describeAddressFilter = (filter: AddressFilter | undefined, t: Text): string =>
  filter === undefined ? '' : t.describe({ allow: filter.allow.map(rule => rule.text), deny: filter.deny.map(rule => rule.text) })

const MAPPED_IPV4 = createAddressFilter({ allow: ['::ffff:0:0/96'] })

/** Whether an --allow rule can match an IPv4 peer: an IPv4 rule, or an IPv6 one reaching into the mapped range ::ffff:0:0/96. */
const reachesIpv4 = (rule: Cidr): boolean =>
  rule.family === 'ipv4' || (rule.prefix <= 96 ? createAddressFilter({ allow: [rule.text] })('::ffff:0.0.0.0') : MAPPED_IPV4(rule.address))

/** Whether an --allow rule can match a (non-mapped) IPv6 peer. */
const reachesIpv6 = (rule: Cidr): boolean =>
  rule.family === 'ipv6' && !(rule.prefix >= 96 && MAPPED_IPV4(rule.address))

/**
 * A warning for the listening line when no --allow rule can match a peer of the bound
 * address's family, so every peer would be turned away: IPv4 rules on a server bound to an
 * IPv6 address (`::1` sees only IPv6 peers), or IPv6 rules on an IPv4 one. The wildcard `::`
 * sees both families and is never warned about. undefined when some rule can match.
 */
export const unmatchableAllow = (filter: AddressFilter | undefined, boundAddress: string, t: Text): string | undefined => {
  if (filter === undefined || filter.allow.length === 0) return undefined
  const family = isIPv4(boundAddress) || MAPPED_IPV4(boundAddress) ? 'ipv4' : isIPv6(boundAddress) && !/^[0:]+$/.test(boundAddress) ? 'ipv6' : undefined
  if (family === undefined) return undefined
  if (family === 'ipv4' ? filter.allow.some(reachesIpv4) : filter.allow.some(reachesIpv6)) return undefined
  return family === 'ipv4'
    ? t.unmatchableAllow({ bound: boundAddress, own: 'IPv4', other: 'IPv6', loopback: '127.0.0.1' })
    : t.unmatchableAllow({ bound: boundAddress, own: 'IPv6', other: 'IPv4', loopback: '::1' })
}
