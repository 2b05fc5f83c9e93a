import { describe, expect, it } from '@jest/globals';
import { isDigest, protectSnapshot, type CanonicalValue, type CanonicalValues } from '../../src/mappings/index.js';
import { createRandom } from '../../src/reference/core/index.js';
import { threeWayMerge, type MergeInput, type MergeResult } from '../../src/reconcile/index.js';

const EARLY = '2025-06-01T10:00:00.000Z';
const LATE = '2025-06-01T11:00:00.000Z';

const base = { firstName: 'Ada', lastName: 'Andersen', title: 'Engineer', active: true };

describe('threeWayMerge', () => {
  it('finds nothing to write when neither side changed (an echo)', () => {
    expect(
      threeWayMerge({ base, customerp: base, crmoffice: base, customerpModifiedAt: EARLY, crmofficeModifiedAt: LATE }),
    ).toEqual({
      merged: base,
      conflicts: [],
      changedFor: { customerp: [], crmoffice: [] },
    });
  });

  it('takes a field changed on one side only, whichever side is newer', () => {
    const result = threeWayMerge({
      base,
      customerp: { ...base, title: 'Senior Engineer' },
      crmoffice: { ...base, active: false },
      customerpModifiedAt: EARLY,
      crmofficeModifiedAt: LATE,
    });
    expect(result).toEqual({
      merged: { ...base, title: 'Senior Engineer', active: false },
      conflicts: [],
      changedFor: { customerp: ['active'], crmoffice: ['title'] },
    });
  });

  it('accepts both sides changing a field to the same value, null included', () => {
    const same = { ...base, title: null };
    expect(
      threeWayMerge({ base, customerp: same, crmoffice: same, customerpModifiedAt: EARLY, crmofficeModifiedAt: LATE }),
    ).toEqual({
      merged: same,
      conflicts: [],
      changedFor: { customerp: [], crmoffice: [] },
    });
  });

  it('records a conflict when both sides changed a field differently, keeping the newer side', () => {
    const input = { base, customerp: { ...base, title: 'Lead' }, crmoffice: { ...base, title: 'Architect' } };
    expect(threeWayMerge({ ...input, customerpModifiedAt: EARLY, crmofficeModifiedAt: LATE })).toEqual({
      merged: { ...base, title: 'Architect' },
      conflicts: [{ field: 'title', customerpValue: 'Lead', crmofficeValue: 'Architect', kept: 'CRMOFFICE' }],
      changedFor: { customerp: ['title'], crmoffice: [] },
    });
    expect(
      threeWayMerge({ ...input, customerpModifiedAt: new Date(LATE), crmofficeModifiedAt: new Date(EARLY) }),
    ).toEqual({
      merged: { ...base, title: 'Lead' },
      conflicts: [{ field: 'title', customerpValue: 'Lead', crmofficeValue: 'Architect', kept: 'CUSTOMERP' }],
      changedFor: { customerp: [], crmoffice: ['title'] },
    });
  });

  it('breaks a tie of modification times in favour of Customerp', () => {
    const result = threeWayMerge({
      base,
      customerp: { ...base, title: 'Lead' },
      crmoffice: { ...base, title: null },
      customerpModifiedAt: LATE,
      crmofficeModifiedAt: LATE,
    });
    expect(result.conflicts).toEqual([
      { field: 'title', customerpValue: 'Lead', crmofficeValue: null, kept: 'CUSTOMERP' },
    ]);
    expect(result.merged['title']).toBe('Lead');
  });

  it('without a base (first sync of a matched pair) takes the newer side for differing fields and records no conflict', () => {
    const result = threeWayMerge({
      base: null,
      customerp: { firstName: 'Ada', title: 'Engineer', active: true },
      crmoffice: { firstName: 'Ada', title: 'Lead', active: false },
      customerpModifiedAt: LATE,
      crmofficeModifiedAt: EARLY,
    });
    expect(result).toEqual({
      merged: { firstName: 'Ada', title: 'Engineer', active: true },
      conflicts: [],
      changedFor: { customerp: [], crmoffice: ['active', 'title'] },
    });
  });

  it('without a base fills a gap from the side that has the value, even when the empty side is newer', () => {
    const result = threeWayMerge({
      base: null,
      customerp: { subject: 'Launch', company: 'link-7', description: null },
      crmoffice: { subject: 'Launch', company: null, description: 'Kick-off' },
      customerpModifiedAt: EARLY,
      crmofficeModifiedAt: LATE,
    });
    expect(result).toEqual({
      merged: { subject: 'Launch', company: 'link-7', description: 'Kick-off' },
      conflicts: [],
      changedFor: { customerp: ['description'], crmoffice: ['company'] },
    });
  });

  it('treats a field new to the table (absent from the base) like a first sync', () => {
    const result = threeWayMerge({
      base,
      customerp: { ...base, department: 'Sales' },
      crmoffice: { ...base, department: 'Support' },
      customerpModifiedAt: EARLY,
      crmofficeModifiedAt: LATE,
    });
    expect(result).toEqual({
      merged: { ...base, department: 'Support' },
      conflicts: [],
      changedFor: { customerp: ['department'], crmoffice: [] },
    });
  });

  it('lets a side that cannot tell a field (a deferred reference) neither win nor be written', () => {
    const activityBase = { subject: 'Launch', owner: 'link-1' };
    const unknownOwner = threeWayMerge({
      base: activityBase,
      customerp: { subject: 'Launch' },
      crmoffice: { subject: 'Launch', owner: 'link-2' },
      customerpModifiedAt: LATE,
      crmofficeModifiedAt: EARLY,
    });
    expect(unknownOwner).toEqual({
      merged: { subject: 'Launch', owner: 'link-2' },
      conflicts: [],
      changedFor: { customerp: [], crmoffice: [] },
    });
    const neither = threeWayMerge({
      base: activityBase,
      customerp: { subject: 'Launch' },
      crmoffice: { subject: 'Go' },
      customerpModifiedAt: EARLY,
      crmofficeModifiedAt: LATE,
    });
    expect(neither).toEqual({
      merged: { subject: 'Go', owner: 'link-1' },
      conflicts: [],
      changedFor: { customerp: ['subject'], crmoffice: [] },
    });
  });

  it('rejects a modification time that is not one', () => {
    expect(() =>
      threeWayMerge({
        base,
        customerp: base,
        crmoffice: base,
        customerpModifiedAt: 'yesterday',
        crmofficeModifiedAt: LATE,
      }),
    ).toThrow('expected a modification time, got "yesterday"');
  });
});

describe('threeWayMerge over random inputs', () => {
  const FIELDS = ['a', 'b', 'c', 'd', 'e'];
  const VALUES: CanonicalValue[] = ['x', 'y', 'z', true, false, null];
  const TIMES = ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z', '2025-01-01T00:00:02.000Z'];
  const random = createRandom(20250601);

  function values(from: CanonicalValues | null, changeChance: number, missingChance: number): CanonicalValues {
    const result: CanonicalValues = {};
    for (const field of FIELDS) {
      if (random.chance(missingChance)) continue;
      result[field] =
        from && field in from && !random.chance(changeChance) ? (from[field] ?? null) : random.pick(VALUES);
    }
    return result;
  }

  function shuffledKeys<V>(entries: Readonly<Record<string, V>>): Record<string, V> {
    return Object.fromEntries([...Object.entries(entries)].sort(() => random.next() - 0.5));
  }

  function apply(side: CanonicalValues, merged: CanonicalValues, fields: string[]): CanonicalValues {
    return { ...side, ...Object.fromEntries(fields.map((field) => [field, merged[field] ?? null])) };
  }

  const cases: MergeInput[] = Array.from({ length: 500 }, () => {
    const original = random.chance(0.2) ? null : values(null, 1, 0.1);
    return {
      base: original,
      customerp: values(original, 0.3, 0.05),
      crmoffice: values(original, 0.3, 0.05),
      customerpModifiedAt: random.pick(TIMES),
      crmofficeModifiedAt: random.pick(TIMES),
    };
  });

  it('gives the same answer whichever way round the systems are taken (no bias but the documented tie-break)', () => {
    let compared = 0;
    for (const input of cases) {
      if (input.customerpModifiedAt === input.crmofficeModifiedAt) continue;
      const result = threeWayMerge(input);
      const mirrored = threeWayMerge({
        base: input.base,
        customerp: input.crmoffice,
        crmoffice: input.customerp,
        customerpModifiedAt: input.crmofficeModifiedAt,
        crmofficeModifiedAt: input.customerpModifiedAt,
      });
      expect(mirrored.merged).toEqual(result.merged);
      expect(mirrored.changedFor).toEqual({
        customerp: result.changedFor.crmoffice,
        crmoffice: result.changedFor.customerp,
      });
      expect(mirrored.conflicts).toEqual(
        result.conflicts.map((c) => ({
          field: c.field,
          customerpValue: c.crmofficeValue,
          crmofficeValue: c.customerpValue,
          kept: c.kept === 'CUSTOMERP' ? 'CRMOFFICE' : 'CUSTOMERP',
        })),
      );
      compared++;
    }
    expect(compared).toBeGreaterThan(250);
  });

  it('does not depend on the order of fields in its inputs', () => {
    for (const input of cases) {
      const reordered: MergeInput = {
        ...input,
        base: input.base && shuffledKeys(input.base),
        customerp: shuffledKeys(input.customerp),
        crmoffice: shuffledKeys(input.crmoffice),
      };
      expect(threeWayMerge(reordered)).toEqual(threeWayMerge(input));
    }
  });

  it('converges: after writing changedFor to both sides, the next merge (the echoes) finds nothing to do', () => {
    let conflicts = 0;
    for (const input of cases) {
      const first: MergeResult = threeWayMerge(input);
      conflicts += first.conflicts.length;
      const customerp = apply(input.customerp, first.merged, first.changedFor.customerp);
      const crmoffice = apply(input.crmoffice, first.merged, first.changedFor.crmoffice);
      const echo = threeWayMerge({ ...input, base: first.merged, customerp, crmoffice });
      expect(echo).toEqual({ merged: first.merged, conflicts: [], changedFor: { customerp: [], crmoffice: [] } });
    }
    expect(conflicts).toBeGreaterThan(50);
  });

  it('decides the same against a stored snapshot whose personal fields are digests (docs/links.md)', () => {
    // The same random cases with the fields named as personal ones: the link stores their digests.
    const personal = (v: Readonly<Record<string, unknown>>) =>
      Object.fromEntries(
        Object.entries(v).map(([field, value]) => [
          `${field === 'a' ? 'email' : field === 'b' ? 'phone' : field}`,
          value,
        ]),
      );
    let digested = 0;
    for (const input of cases) {
      const plain = {
        ...input,
        base: input.base && personal(input.base),
        customerp: personal(input.customerp) as CanonicalValues,
        crmoffice: personal(input.crmoffice) as CanonicalValues,
      };
      const stored = plain.base && protectSnapshot(plain.base);
      digested += Object.values(stored ?? {}).filter(isDigest).length;
      const fromPlain = threeWayMerge(plain);
      const fromDigests = threeWayMerge({ ...plain, base: stored });
      expect(fromDigests.conflicts).toEqual(fromPlain.conflicts);
      expect(fromDigests.changedFor).toEqual(fromPlain.changedFor);
      // Merged values agree but for a field neither side knows, where only the digest is left.
      expect(protectSnapshot(fromDigests.merged)).toEqual(protectSnapshot(fromPlain.merged));
    }
    expect(digested).toBeGreaterThan(200);
  });

  it('keeps every value that only one side changed, and only records conflicts where both did', () => {
    for (const input of cases) {
      if (!input.base) continue;
      const { merged, conflicts } = threeWayMerge(input);
      for (const field of FIELDS) {
        const [b, p, c] = [input.base[field], input.customerp[field], input.crmoffice[field]];
        if (b === undefined || p === undefined || c === undefined) continue;
        const conflict = conflicts.find((entry) => entry.field === field);
        if (p !== b && c === b) expect(merged[field]).toBe(p);
        if (c !== b && p === b) expect(merged[field]).toBe(c);
        expect(conflict !== undefined).toBe(p !== b && c !== b && p !== c);
      }
    }
  });
});
