import type { Command } from 'commander'
import { createAddressFilter, parseCidrList, type AddressFilter, type Cidr } from '../cidr.js'
import { argParser } from './action.js'

/*
 * `--allow <cidr,…>` / `--deny <cidr,…>` for every server command, parsed the same way
 * everywhere: repeatable, comma lists, a bad entry is a usage error naming it (exit 2).
 */

/** The flags {@link addAddressFilterOptions} adds, as commander hands them to the action. */
export interface AddressFilterFlags {
  allow?: Cidr[]
  deny?: Cidr[]
}

const collect = (what: 'allow' | 'deny') =>
  (value: string, previous: Cidr[] | undefined): Cidr[] => [...(previous ?? []), ...argParser(v => parseCidrList(v, what))(value)]

/** Add --allow and --deny to a server command. */
export const addAddressFilterOptions = (command: Command): Command =>
  command
    .option('--allow <cidr,…>', 'serve only peers inside these addresses or CIDR blocks (repeatable; comma lists)', collect('allow'))
    .option('--deny <cidr,…>', 'turn away peers inside these addresses or CIDR blocks; deny wins over allow (repeatable)', collect('deny'))

/** The filter for the library, or undefined when no rule was given (everything passes, nothing is checked). */
export const addressFilterFrom = (flags: AddressFilterFlags): AddressFilter | undefined => {
  if (!flags.allow?.length && !flags.deny?.length) return undefined
  return createAddressFilter({ allow: flags.allow?.map(rule => rule.text), deny: flags.deny?.map(rule => rule.text) })
}

/** Why `filter` turned `address` away, in the words of the options: "in --deny 10.0.0.0/8" or "not in --allow". */
export const deniedBecause = (filter: AddressFilter | undefined, address: string): string => {
  if (filter === undefined) return 'filtered'
  if (address === '') return 'its address could not be read'
  if (filter.deny.length > 0) {
    const matching = filter.deny.find(rule => createAddressFilter({ deny: [rule.text] })(address) === false)
    if (matching) return `in --deny ${matching.text}`
  }
  return 'not in --allow'
}

/** "allowing 10.0.0.0/8; denying 10.0.0.5/32" for the listening line, or '' without rules. */
export const describeAddressFilter = (filter: AddressFilter | undefined): string => {
  if (filter === undefined) return ''
  const parts: string[] = []
  if (filter.allow.length) parts.push(`allowing only ${filter.allow.map(rule => rule.text).join(', ')}`)
  if (filter.deny.length) parts.push(`denying ${filter.deny.map(rule => rule.text).join(', ')}`)
  return parts.join('; ')
}
