import { createHash } from 'node:crypto';

/**
 * The fingerprint of a mutation request: a hash of its name, its target and its input (without the
 * idempotency key), independent of key order. The same idempotency key with another fingerprint is
 * a client error, not a retry.
 */
export function fingerprintOf(mutation: string, target: string | null, input: unknown): string {
  return createHash('sha256').update(stableJson({ mutation, target, input })).digest('base64url');
}

/** JSON with object keys sorted at every level; undefined fields left out, as JSON.stringify does. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
