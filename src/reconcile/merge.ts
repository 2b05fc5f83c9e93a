import type { SystemName } from '../errors.js';
import { sameAsSnapshot, sameCanonicalValue, type CanonicalValue, type CanonicalValues } from '../mappings/index.js';

/**
 * Three-way merge of one linked pair's canonical values, per leaf field, against the snapshot of the
 * last sync. Symmetric by construction: the answer depends only on the values and modification times,
 * never on which system's feed brought the change, so both feeds converge on the same result.
 */

export interface MergeInput {
  /**
   * The snapshot of the last sync, as the link stores it (personal fields as digests); null for a pair
   * never synced (matched by identity keys).
   */
  base: Readonly<Record<string, unknown>> | null;
  /** Each side's current canonical values; an absent field is unknown (e.g. a deferred reference). */
  customerp: Readonly<CanonicalValues>;
  crmoffice: Readonly<CanonicalValues>;
  /** ISO time (or Date) each side's record was last modified; the newer side wins a conflict. */
  customerpModifiedAt: string | Date;
  crmofficeModifiedAt: string | Date;
}

/** A field both sides changed, to different values, since the last sync. */
export interface MergeConflict {
  field: string;
  customerpValue: CanonicalValue;
  crmofficeValue: CanonicalValue;
  kept: SystemName;
}

export interface MergeResult {
  /** The values both sides should hold now (the next snapshot). */
  merged: CanonicalValues;
  conflicts: MergeConflict[];
  /** Per side, the fields whose value there differs from `merged`: what to write to that side. */
  changedFor: { customerp: string[]; crmoffice: string[] };
}

function timeOf(at: string | Date): number {
  const time = at instanceof Date ? at.getTime() : Date.parse(at);
  if (Number.isNaN(time)) throw new TypeError(`expected a modification time, got ${JSON.stringify(at)}`);
  return time;
}

/**
 * Merges per field: changed on one side only → that side's value; changed on both to the same value →
 * it; to different values → a conflict, kept from the newer side (ties: CUSTOMERP). Without a base
 * value (first sync of a matched pair, or a field new to the table) a value only one side has is
 * taken, and other differing values come from the newer side, without recording a conflict.
 */
export function threeWayMerge(input: MergeInput): MergeResult {
  const { base, customerp, crmoffice } = input;
  const newer: SystemName =
    timeOf(input.crmofficeModifiedAt) > timeOf(input.customerpModifiedAt) ? 'CRMOFFICE' : 'CUSTOMERP';
  const fields = [
    ...new Set([...Object.keys(base ?? {}), ...Object.keys(customerp), ...Object.keys(crmoffice)]),
  ].sort();
  const merged: CanonicalValues = {};
  const conflicts: MergeConflict[] = [];
  for (const field of fields) {
    const ours = customerp[field];
    const theirs = crmoffice[field];
    const original = base?.[field];
    if (ours === undefined || theirs === undefined) {
      // One side cannot tell: the other side (or the snapshot, perhaps a digest: see withoutDigests) stands.
      const known =
        ours !== undefined ? ours : theirs !== undefined ? theirs : (original as CanonicalValue | undefined);
      if (known !== undefined) merged[field] = known;
      continue;
    }
    if (sameCanonicalValue(ours, theirs)) {
      merged[field] = ours;
      continue;
    }
    const winner = newer === 'CUSTOMERP' ? ours : theirs;
    if (original === undefined) {
      // First sync of a matched pair: fill gaps rather than erase a value the other side lacks.
      merged[field] = ours === null ? theirs : theirs === null ? ours : winner;
      continue;
    }
    const oursChanged = !sameAsSnapshot(field, ours, original);
    const theirsChanged = !sameAsSnapshot(field, theirs, original);
    if (oursChanged && theirsChanged) {
      conflicts.push({ field, customerpValue: ours, crmofficeValue: theirs, kept: newer });
      merged[field] = winner;
    } else {
      merged[field] = oursChanged ? ours : theirs;
    }
  }
  const changedOn = (side: Readonly<CanonicalValues>): string[] =>
    fields.filter(
      (field) =>
        side[field] !== undefined && merged[field] !== undefined && !sameCanonicalValue(side[field], merged[field]),
    );
  return { merged, conflicts, changedFor: { customerp: changedOn(customerp), crmoffice: changedOn(crmoffice) } };
}

/** Values with their fields in sorted order, the order threeWayMerge writes snapshots in (they are compared as JSON). */
export function sortedValues(values: Readonly<CanonicalValues>): CanonicalValues {
  return Object.fromEntries(
    Object.keys(values)
      .sort()
      .map((field) => [field, values[field] ?? null]),
  );
}
