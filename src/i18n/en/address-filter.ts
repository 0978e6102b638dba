/** --allow / --deny on every server command: help, why a peer was turned away, the listening line. */
export const addressFilter = () => ({
  help: {
    allow: 'serve only peers inside these addresses or CIDR blocks (repeatable; comma lists)',
    deny: 'turn away peers inside these addresses or CIDR blocks; deny wins over allow (repeatable)',
  },
  /** Why a peer was turned away, in the words of the options. */
  denied: {
    filtered: 'filtered',
    unreadable: 'its address could not be read',
    inDeny: (p: { rule: string }) => `in --deny ${p.rule}`,
    notInAllow: 'not in --allow',
  },
  /** The rules for the listening line: "allowing only 10.0.0.0/8; denying 10.0.0.5/32". */
  describe: (p: { allow: readonly string[]; deny: readonly string[] }) => [
    ...(p.allow.length ? [`allowing only ${p.allow.join(', ')}`] : []),
    ...(p.deny.length ? [`denying ${p.deny.join(', ')}`] : []),
  ].join('; '),
  /** No --allow rule can match a peer of the bound family; `own` is that family ("IPv4"). */
  unmatchableAllow: (p: { bound: string; own: 'IPv4' | 'IPv6'; other: 'IPv4' | 'IPv6'; loopback: string }) =>
    `no --allow rule can match: every one is ${p.other}, and a server bound to ${p.bound} only hears ${p.own} peers, ` +
    `so all of them will be denied — add an ${p.own} rule (${p.loopback} for this machine), or bind ${p.own === 'IPv6' ? '0.0.0.0 or ::' : '::'}`,
})
