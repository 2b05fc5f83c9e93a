import type { Conflict } from '../links/index.js';

/** Resolved conflicts a link keeps when nothing else is said (RESOLVED_CONFLICTS_KEPT). */
export const DEFAULT_RESOLVED_CONFLICTS_KEPT = 20;

/**
 * `existing` conflicts plus `added` ones, bounded: every open conflict stays, and of the resolved ones
 * only the `keepResolved` most recently resolved, so a pair that flaps cannot grow its link forever.
 * Order is kept (detection order).
 */
export function withConflicts(
  existing: readonly Conflict[],
  added: readonly Conflict[],
  keepResolved: number,
): Conflict[] {
  const all = [...existing, ...added];
  const resolved = all.filter((c) => c.resolvedAt).sort((a, b) => b.resolvedAt!.getTime() - a.resolvedAt!.getTime());
  const kept = new Set(resolved.slice(0, Math.max(0, keepResolved)));
  return all.filter((c) => !c.resolvedAt || kept.has(c));
}
