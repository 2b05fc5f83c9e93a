import { describe, expect, it } from '@jest/globals';
import type { Conflict } from '../../src/links/index.js';
import {
  crmofficeOnly,
  productCompany,
  type CrmofficeCompany,
  type CustomerpProduct,
} from '../../src/mappings/index.js';
import {
  resolvedConflicts,
  settledLinkState,
  settledSnapshot,
  type SnapshotSources,
} from '../../src/writes/link-settlement.js';
import { noLinks } from '../mappings/resolver-stub.js';

/** The link an operation leaves: its snapshot, conflicts and state, decided without a store. */

const product: CustomerpProduct = {
  id: 'prd-1',
  version: 2,
  updatedAt: '2025-06-01T10:00:00.000Z',
  sku: 'SKU-1',
  name: 'Atlas',
  description: null,
  category: 'Software',
  website: null,
  active: true,
};

const company: CrmofficeCompany = {
  id: 'com-1',
  etag: 'W/"1"',
  modifiedAt: '2025-06-01T10:00:05.000Z',
  name: 'Atlas',
  description: 'Cloud platform',
  industry: 'Hardware',
  website: null,
  code: 'SKU-1',
  status: 'ACTIVE',
};

const PRODUCT_REF = { type: 'Product' as const, id: 'prd-1' };

function sources(fields: Partial<SnapshotSources>): SnapshotSources {
  return {
    mapping: productCompany,
    kind: 'update',
    link: { customerp: PRODUCT_REF, snapshot: null },
    customerp: { record: product, modifiedAt: product.updatedAt },
    crmoffice: { record: company, modifiedAt: company.modifiedAt },
    values: {},
    refs: noLinks,
    ...fields,
  };
}

describe('settledSnapshot', () => {
  it('merges a created pair as sync merges a new match: gaps filled, other differences from the newer side', () => {
    expect(settledSnapshot(sources({ kind: 'create', values: { name: 'Atlas', code: 'SKU-1' } }))).toEqual({
      name: 'Atlas',
      description: 'Cloud platform',
      industry: 'Hardware',
      website: null,
      code: 'SKU-1',
      active: true,
    });
  });

  it('takes the previous snapshot with the fields of the mutation for an update, whatever else the records hold, in sorted field order', () => {
    const link = { customerp: PRODUCT_REF, snapshot: { name: 'Old', code: 'SKU-1', active: true } };
    const snapshot = settledSnapshot(sources({ link, values: { name: 'Atlas', description: null } }));
    expect(snapshot).toEqual({ active: true, code: 'SKU-1', description: null, name: 'Atlas' });
    expect(Object.keys(snapshot)).toEqual(['active', 'code', 'description', 'name']);
  });

  it('takes the values of the mutation for a create whose Crmoffice record is gone', () => {
    expect(
      settledSnapshot(sources({ kind: 'create', crmoffice: null, values: { name: 'Atlas', code: 'SKU-1' } })),
    ).toEqual({ code: 'SKU-1', name: 'Atlas' });
  });

  it('takes the values of a Crmoffice-only record as they are', () => {
    const snapshot = settledSnapshot(
      sources({
        mapping: crmofficeOnly.Company,
        link: { customerp: null, snapshot: { name: 'Old' } },
        customerp: null,
        values: { name: 'Atlas' },
      }),
    );
    expect(snapshot).toEqual({
      name: 'Atlas',
      description: 'Cloud platform',
      industry: 'Hardware',
      website: null,
      code: 'SKU-1',
      active: true,
    });
  });
});

describe('resolvedConflicts', () => {
  const detectedAt = new Date('2025-06-01T09:00:00.000Z');
  const earlier = new Date('2025-06-01T09:30:00.000Z');
  const now = new Date('2025-06-01T10:00:00.000Z');
  const open: Conflict = {
    id: 'c1',
    field: 'name',
    customerpValue: 'A',
    crmofficeValue: 'B',
    kept: 'CRMOFFICE',
    detectedAt,
    resolvedAt: null,
  };
  const other: Conflict = { ...open, id: 'c2', field: 'code' };

  it('closes the conflict the operation resolves, keeping the side it chose; others stay as they are', () => {
    expect(resolvedConflicts([open, other], { id: 'c1', keep: 'CUSTOMERP' }, now)).toEqual([
      { ...open, kept: 'CUSTOMERP', resolvedAt: now },
      other,
    ]);
  });

  it('keeps the time a conflict was resolved at when it was resolved already', () => {
    const resolved = { ...open, resolvedAt: earlier };
    expect(resolvedConflicts([resolved], { id: 'c1', keep: 'CUSTOMERP' }, now)).toEqual([
      { ...resolved, kept: 'CUSTOMERP' },
    ]);
  });

  it('changes nothing for an operation that resolves no conflict', () => {
    expect(resolvedConflicts([open, other], null, now)).toEqual([open, other]);
  });
});

describe('settledLinkState', () => {
  const at = new Date('2025-06-01T09:00:00.000Z');
  const conflict: Conflict = {
    id: 'c1',
    field: 'name',
    customerpValue: 'A',
    crmofficeValue: 'B',
    kept: 'CRMOFFICE',
    detectedAt: at,
    resolvedAt: null,
  };

  it('stays PENDING while another operation on the link is unfinished, conflicts or not', () => {
    expect(settledLinkState(true, [])).toBe('PENDING');
    expect(settledLinkState(true, [conflict])).toBe('PENDING');
  });

  it('is CONFLICT while a conflict is open, IN_SYNC once every conflict is resolved', () => {
    expect(settledLinkState(false, [conflict])).toBe('CONFLICT');
    expect(settledLinkState(false, [{ ...conflict, resolvedAt: at }])).toBe('IN_SYNC');
    expect(settledLinkState(false, [])).toBe('IN_SYNC');
  });
});
