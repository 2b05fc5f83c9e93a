import { createHash } from 'node:crypto';
import type { SystemName } from '../errors.js';
import { sameCanonicalValue, type CanonicalValue, type CanonicalValues } from './canonical.js';
import { toCanonical, type ReferenceResolver } from './convert.js';
import type { Dataflow, Mapping } from './dataflow.js';
import { identityKeyOf } from './identity-key.js';
import type { SystemRecord } from './records.js';

/**
 * Personal data never rests in MongoDB. A link keeps, for each personal field, a digest of the value:
 * enough for the three-way merge to tell whether a side changed it since the last sync, never the
 * value. The e-mail lookup key is the digest of the normalized address, so the email filter is still
 * an exact index lookup. Conflicts on these fields keep digests too and show the systems' live values.
 * docs/links.md shows a link document. A digest is a change detector, not anonymization: whoever can
 * guess an address can test it against the digest, so the collection stays as protected as before.
 */

/** The canonical fields whose values a link stores only as digests. */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set(['email', 'phone', 'mobile']);

/** A conflict field that is not a canonical field: an ambiguous identity match, whose Customerp value is the record's identity key (a contact's e-mail). */
export const IDENTITY_CONFLICT_FIELD = 'identity';

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Whether a stored value is a digest rather than the value itself. */
export function isDigest(value: unknown): boolean {
  return typeof value === 'string' && DIGEST.test(value);
}

/** The digest of `value` as stored for `field` (the field name separates equal values of different fields). */
export function digestOf(field: string, value: string): string {
  return `sha256:${createHash('sha256').update(`${field}\u0000${value}`).digest('hex')}`;
}

/** The stored form of the e-mail lookup key (and of an email filter): the digest of the trimmed, lower-cased address. */
export function emailKeyOf(email: string): string {
  return isDigest(email) ? email : digestOf('keys.email', email.trim().toLowerCase());
}

/** A value as a link stores it for `field`: a digest for a personal field's text, the value otherwise. */
function protectedValue(field: string, value: unknown): unknown {
  return PERSONAL_FIELDS.has(field) && typeof value === 'string' && !isDigest(value) ? digestOf(field, value) : value;
}

/** A snapshot as a link stores it: personal fields as digests (null stays null: an empty field is no one's data). */
export function protectSnapshot(snapshot: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(snapshot).map(([field, value]) => [field, protectedValue(field, value)]));
}

/** Lookup keys as a link stores them: the e-mail as emailKeyOf. */
export function protectKeys(keys: Readonly<Record<string, string | null>>): Record<string, string | null> {
  const email = keys['email'];
  return email == null ? { ...keys } : { ...keys, email: emailKeyOf(email) };
}

/** The two values of a conflict as a link stores them: digests for a personal field and for an identity match. */
export function protectConflictValues(field: string, values: { customerpValue: unknown; crmofficeValue: unknown }) {
  const personal = PERSONAL_FIELDS.has(field) || field === IDENTITY_CONFLICT_FIELD;
  const protect = (value: unknown): unknown =>
    personal && typeof value === 'string' && !isDigest(value) ? digestOf(field, value) : value;
  return { customerpValue: protect(values.customerpValue), crmofficeValue: protect(values.crmofficeValue) };
}

/** Whether a live canonical value is the one a snapshot recorded (as the value itself or as its digest). */
export function sameAsSnapshot(field: string, value: CanonicalValue | undefined, recorded: unknown): boolean {
  if (isDigest(recorded)) return typeof value === 'string' && digestOf(field, value) === recorded;
  return sameCanonicalValue(value, recorded as CanonicalValue | undefined);
}

/** Values without the fields a snapshot holds only as digests: those are unknown until a system is read. */
export function withoutDigests(values: Readonly<Record<string, unknown>>): CanonicalValues {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => !isDigest(value))) as CanonicalValues;
}

/** Personal and identity fields are text, never references: reading them needs no links. */
const noLinks: ReferenceResolver = { linkIdOf: () => null, recordIdOf: () => null };

/**
 * The live value behind a stored digest: `field` of a record of `system` as canonical value, or for
 * IDENTITY_CONFLICT_FIELD the record's identity key. Conflicts show it, and keeping a side keeps it.
 */
export function personalValueOf(
  mapping: Mapping,
  system: SystemName,
  record: SystemRecord,
  field: string,
): CanonicalValue {
  const values = toCanonical(mapping, system, record, noLinks).values;
  if (field === IDENTITY_CONFLICT_FIELD)
    return 'identity' in mapping ? identityKeyOf(mapping as Dataflow, values) : null;
  return values[field] ?? null;
}
