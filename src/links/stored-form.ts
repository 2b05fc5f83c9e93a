import { protectConflictValues, protectKeys, protectSnapshot } from '../mappings/index.js';
import type { Conflict, LinkChanges } from './link.js';

/**
 * What a link stores of the values it is given: personal data only as digests (mappings/personal-data.ts).
 * The store writes exactly this, and reads it back as it is, so a caller that asks "would this change the
 * link?" compares in this form.
 */

export function storedSnapshot(snapshot: Readonly<Record<string, unknown>> | null): Record<string, unknown> | null {
  return snapshot && protectSnapshot(snapshot);
}

export function storedKeys(keys: Readonly<Record<string, string | null>>): Record<string, string | null> {
  return protectKeys(keys);
}

export function storedConflicts(conflicts: readonly Conflict[]): Conflict[] {
  return conflicts.map((conflict) => ({ ...conflict, ...protectConflictValues(conflict.field, conflict) }));
}

/** `changes` with snapshot, keys and conflicts in their stored form. */
export function storedChanges(changes: LinkChanges): LinkChanges {
  return {
    ...changes,
    ...(changes.snapshot !== undefined && { snapshot: storedSnapshot(changes.snapshot) }),
    ...(changes.keys !== undefined && { keys: storedKeys(changes.keys) }),
    ...(changes.conflicts !== undefined && { conflicts: storedConflicts(changes.conflicts) }),
  };
}
