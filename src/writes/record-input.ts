import type { SystemInput, SystemRecord } from '../mappings/index.js';
import { stableJson } from './fingerprint.js';

/** The current values of the fields an update input writes (a nested object whole), for undoing it. */
export function previousValues(input: SystemInput, record: SystemRecord): SystemInput {
  const fields: Readonly<Record<string, unknown>> = record;
  const previous: SystemInput = {};
  for (const field of Object.keys(input)) {
    const value = fields[field];
    if (typeof value === 'object' && value !== null) {
      previous[field] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([leaf]) => !leaf.startsWith('__'))
          .map(([leaf, leafValue]) => [
            leaf,
            typeof leafValue === 'string' || typeof leafValue === 'boolean' ? leafValue : null,
          ]),
      );
    } else {
      previous[field] = typeof value === 'string' || typeof value === 'boolean' ? value : null;
    }
  }
  return previous;
}

/** Whether `record` holds every value of `input` (nested objects: every leaf given). */
export function matchesInput(record: SystemRecord, input: SystemInput): boolean {
  const fields: Readonly<Record<string, unknown>> = record;
  return Object.entries(input).every(([field, value]) => {
    if (typeof value === 'object' && value !== null) {
      const nested = (fields[field] ?? {}) as Record<string, unknown>;
      return Object.entries(value).every(([leaf, leafValue]) => (nested[leaf] ?? null) === (leafValue ?? null));
    }
    return (fields[field] ?? null) === (value ?? null);
  });
}

/**
 * What undoes an update that wrote `written` (replacing `previous`): the previous values of the fields
 * `record` still holds as written. A field edited since keeps its newer value.
 */
export function restoreInput(written: SystemInput, previous: SystemInput, record: SystemRecord): SystemInput {
  const fields: Readonly<Record<string, unknown>> = record;
  const restore: SystemInput = {};
  for (const [field, value] of Object.entries(written)) {
    if (stableJson(fields[field] ?? null) === stableJson(value ?? null)) restore[field] = previous[field] ?? null;
  }
  return restore;
}
