import { describe, expect, it } from '@jest/globals';
import {
  diffForUpdate,
  employeeContact,
  productCompany,
  projectActivity,
  referencedLinkIds,
  referencedRecordIds,
  toCanonical,
  type CanonicalValues,
  type CrmofficeCompany,
  type CustomerpProject,
} from '../../src/mappings/index.js';
import { malformedRecord } from './malformed-record.js';
import { noLinks } from './resolver-stub.js';

const project = (id: string, managerId: string | null, productId: string | null): CustomerpProject => ({
  id,
  version: 1,
  updatedAt: '2025-01-01T00:00:00.000Z',
  projectNumber: `P-${id}`,
  name: `Project ${id}`,
  description: null,
  status: 'PLANNED',
  startDate: '2025-01-01',
  endDate: null,
  managerId,
  productId,
});

const company: CrmofficeCompany = {
  id: 'com-1',
  etag: '1',
  modifiedAt: '2025-01-01T00:00:00.000Z',
  name: 'Orbit Suite 1',
  description: null,
  industry: null,
  website: null,
  code: 'SKU-00001',
  status: 'ACTIVE',
};

describe('the mapping engine', () => {
  it('rejects a malformed upstream value, naming the system, dataflow, field, expectation and value', () => {
    const bad = malformedRecord(project('prj-1', null, null), { status: 'PAUSED' });
    expect(() => toCanonical(projectActivity, 'CUSTOMERP', bad, noLinks)).toThrow(
      new TypeError(
        'Customerp project-activity status: expected one of PLANNED, ACTIVE, ON_HOLD, COMPLETED, CANCELLED, got "PAUSED"',
      ),
    );
    const badStatus = malformedRecord(company, { status: 'ARCHIVED' });
    expect(() => toCanonical(productCompany, 'CRMOFFICE', badStatus, noLinks)).toThrow(
      new TypeError('Crmoffice product-company status: expected ACTIVE or INACTIVE, got "ARCHIVED"'),
    );
  });

  it('overwrites a malformed current value instead of failing the update', () => {
    const badStatus = malformedRecord(company, { status: 'ARCHIVED' });
    expect(diffForUpdate(productCompany, 'CRMOFFICE', { active: true }, badStatus, noLinks).input).toEqual({
      status: 'ACTIVE',
    });
  });

  it('collects the referenced record ids of a batch by target type, each once, for preloading links', () => {
    const records = [
      project('prj-1', 'emp-1', 'prd-1'),
      project('prj-2', 'emp-2', 'prd-1'),
      project('prj-3', 'emp-1', null),
    ];
    expect(referencedRecordIds(projectActivity, 'CUSTOMERP', records)).toEqual({
      Employee: ['emp-1', 'emp-2'],
      Product: ['prd-1'],
    });
    expect(referencedRecordIds(employeeContact, 'CUSTOMERP', [])).toEqual({});
  });

  it('collects the referenced link ids of canonical values, each once', () => {
    const values: CanonicalValues[] = [
      { owner: 'l-1', company: 'l-2' },
      { owner: 'l-1', company: null },
      { subject: 'no references' },
    ];
    expect(referencedLinkIds(projectActivity, values)).toEqual(['l-1', 'l-2']);
  });
});
