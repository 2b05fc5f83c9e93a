import type { SystemName } from '../errors.js';
import type { CanonicalValues } from './canonical.js';
import { toCanonical, type ReferenceResolver } from './convert.js';
import type { Dataflow } from './dataflow.js';
import type { SystemRecord } from './records.js';

/** Identity fields are never references, so reading them needs no links. */
const noLinks: ReferenceResolver = { linkIdOf: () => null, recordIdOf: () => null };

/**
 * The key that matches a record to its counterpart before one is created: the flow's identity fields,
 * trimmed and lower-cased (contacts: the e-mail; companies: the code; activities: subject + start
 * date, as a JSON array). Null when a part is missing: such a record is never matched.
 */
export function identityKeyOf(flow: Dataflow, values: Readonly<CanonicalValues>): string | null {
  const parts: string[] = [];
  for (const field of flow.identity) {
    const value = values[field];
    if (typeof value !== 'string' || value.trim() === '') return null;
    parts.push(value.trim().toLowerCase());
  }
  return parts.length === 1 ? (parts[0] ?? null) : JSON.stringify(parts);
}

/** The identity key of a record of either system (same key for both sides of a matching pair). */
export function recordIdentityKey(flow: Dataflow, system: SystemName, record: SystemRecord): string | null {
  return identityKeyOf(flow, toCanonical(flow, system, record, noLinks).values);
}
