import { describe, expect, it } from '@jest/globals';
import { crmofficeOnly, productCompany } from '../../src/mappings/index.js';
import { createTypeOf, recordTypeOf, stepDone } from '../../src/writes/operation-steps.js';
import { operationDocument, sideProgress } from './operation-document.js';

/** The pure parts of the steps: which record type a step writes, and what a finished step records. */

describe('createTypeOf', () => {
  it('creates the record type of the dataflow in each system', () => {
    expect(createTypeOf(productCompany, 'CUSTOMERP')).toBe('Product');
    expect(createTypeOf(productCompany, 'CRMOFFICE')).toBe('Company');
  });

  it('creates a Crmoffice-only record in Crmoffice, and refuses to create one in Customerp', () => {
    expect(createTypeOf(crmofficeOnly.Company, 'CRMOFFICE')).toBe('Company');
    expect(() => createTypeOf(crmofficeOnly.Company, 'CUSTOMERP')).toThrow(
      new Error('mapping crmoffice-only-company creates nothing in Customerp'),
    );
  });
});

describe('recordTypeOf', () => {
  it('takes the type of the record the operation writes when it has one', () => {
    const op = operationDocument({ customerp: sideProgress({ ref: { type: 'Employee', id: 'emp-1' } }) });
    expect(recordTypeOf(op, 'CUSTOMERP', productCompany)).toBe('Employee');
  });

  it('takes the type of the mapping before the record exists, and none for a system the mapping does not write', () => {
    expect(recordTypeOf(operationDocument(), 'CUSTOMERP', productCompany)).toBe('Product');
    expect(recordTypeOf(operationDocument(), 'CRMOFFICE', productCompany)).toBe('Company');
    expect(recordTypeOf(operationDocument(), 'CUSTOMERP', crmofficeOnly.Company)).toBe('');
  });
});

describe('stepDone', () => {
  it('records a written record APPLIED and moves on to the next step', () => {
    expect(stepDone('CUSTOMERP', { type: 'Product', id: 'prd-1' }, null)).toEqual({
      state: 'CUSTOMERP_DONE',
      'customerp.ref': { type: 'Product', id: 'prd-1' },
      'customerp.write': 'APPLIED',
      'customerp.error': null,
    });
  });

  it('records a step with nothing to write SKIPPED, with the reason', () => {
    expect(stepDone('CRMOFFICE', { type: 'Company', id: 'com-1' }, 'nothing to change')).toEqual({
      state: 'CRMOFFICE_DONE',
      'crmoffice.ref': { type: 'Company', id: 'com-1' },
      'crmoffice.write': 'SKIPPED',
      'crmoffice.error': 'nothing to change',
    });
  });

  it('leaves the record out when the system has none', () => {
    expect(stepDone('CRMOFFICE', null, 'no Crmoffice record')).toEqual({
      state: 'CRMOFFICE_DONE',
      'crmoffice.write': 'SKIPPED',
      'crmoffice.error': 'no Crmoffice record',
    });
  });
});
