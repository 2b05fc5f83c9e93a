import type { CanonicalValues, UnifiedType } from './canonical.js';
import type { Mapping } from './dataflow.js';
import { isDigest } from './personal-data.js';

/**
 * Keys the link store keeps beside a link so that unified list filters run as index lookups. Names are
 * lower-cased (filters match case-insensitively); references are link ids. A key the type does not have
 * is absent; one it has but the record lacks is null (so an update clears it); one whose value is only
 * known as a snapshot's digest is undefined (unknown: the link's stored key stands).
 */
export interface LookupKeys {
  /** Contact: e-mail, lower-cased. */
  email?: string | null;
  /** Contact: "first last"; Company: its name; Activity: its subject — lower-cased. */
  name?: string | null;
  /** Company: its code. */
  code?: string | null;
  /** Activity: canonical status (ActivityStatus). */
  status?: string | null;
  /** Activity: link id of its company. */
  companyId?: string | null;
  /** Activity: link id of its owner. */
  ownerId?: string | null;
}

function stringOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function lower(value: unknown): string | null {
  return stringOf(value)?.toLowerCase() ?? null;
}

/** The lookup keys of canonical values of a unified type. */
export function lookupKeysOf(mapping: Mapping, values: Readonly<CanonicalValues>): LookupKeys {
  const type: UnifiedType = mapping.unifiedType;
  switch (type) {
    case 'Contact': {
      const name = [stringOf(values['firstName']), stringOf(values['lastName'])]
        .filter((part) => part !== null)
        .join(' ');
      return { email: isDigest(values['email']) ? undefined : lower(values['email']), name: lower(name) };
    }
    case 'Company':
      return { name: lower(values['name']), code: stringOf(values['code']) };
    case 'Activity':
      return {
        name: lower(values['subject']),
        status: stringOf(values['status']),
        companyId: stringOf(values['company']),
        ownerId: stringOf(values['owner']),
      };
    default: {
      const unreachable: never = type;
      throw new Error(`unknown unified type ${String(unreachable)}`);
    }
  }
}
