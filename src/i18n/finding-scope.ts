/**
 * compare's findings read the kernel's counters as the machine's or, inside compare's own
 * network namespace (kernel-userns), as that namespace's. Each language words its findings
 * once per scope; this picks the wording by the finding's `scope` (machine when unset).
 */
import type { KernelScope } from '../compare/compare-types.js'

export const byKernelScope = <M extends object>(words: (scope: KernelScope) => M): M => {
  const byScope = { machine: words('machine'), namespace: words('namespace') }
  return Object.fromEntries(Object.keys(byScope.machine).map(code =>
    [code, (p: { scope?: KernelScope }) => (byScope[p.scope ?? 'machine'] as Record<string, (p: object) => string>)[code]!(p)])) as unknown as M
}
