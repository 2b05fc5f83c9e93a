import { describe, expect, it } from '@jest/globals';
import { UpstreamRejectedError } from '../../src/errors.js';
import { employeeContact, productCompany, projectActivity } from '../../src/mappings/index.js';
import type { OperationFailure } from '../../src/writes/index.js';
import { failureOf, rejectionOf, unifiedFieldOf } from '../../src/writes/rejection.js';
import { operationDocument, sideProgress } from './operation-document.js';

/** What a system's refusal leads to, decided from the operation alone. */

const NOW = new Date('2025-06-01T10:00:10.000Z');
const refused: OperationFailure = {
  message: 'CRMOFFICE rejected the request: name is taken',
  system: 'CRMOFFICE',
  upstreamCode: 'BAD_USER_INPUT',
  field: 'name',
};
const crmofficeFailed = { 'crmoffice.write': 'FAILED', 'crmoffice.error': refused.message };

describe('rejectionOf', () => {
  it('fails the operation when Customerp refuses, and leaves Crmoffice unwritten', () => {
    const failure: OperationFailure = {
      ...refused,
      system: 'CUSTOMERP',
      message: 'CUSTOMERP rejected the request: name is taken',
    };
    for (const kind of ['create', 'update', 'delete'] as const) {
      expect(rejectionOf(operationDocument({ kind, state: 'RECORDED' }), failure, NOW)).toEqual({
        leadsTo: 'FAILED',
        set: {
          state: 'FAILED',
          failure,
          finishedAt: NOW,
          'customerp.write': 'FAILED',
          'customerp.error': failure.message,
          'crmoffice.write': 'SKIPPED',
          'crmoffice.error': 'not written: Customerp refused the change',
        },
      });
    }
  });

  it('undoes a create Crmoffice refused once Customerp has its record', () => {
    const op = operationDocument({
      kind: 'create',
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ ref: { type: 'Product', id: 'prd-1' }, write: 'APPLIED' }),
    });
    expect(rejectionOf(op, refused, NOW)).toEqual({
      leadsTo: 'COMPENSATING',
      set: { state: 'COMPENSATING', failure: refused, ...crmofficeFailed },
    });
  });

  it('undoes an update Crmoffice refused when Customerp applied fields of it', () => {
    const op = operationDocument({
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ write: 'APPLIED', input: { name: 'Atlas' }, previous: { name: 'Old' } }),
    });
    expect(rejectionOf(op, refused, NOW)).toEqual({
      leadsTo: 'COMPENSATING',
      set: { state: 'COMPENSATING', failure: refused, ...crmofficeFailed },
    });
  });

  it('fails an update with nothing to undo in Customerp (skipped, or applied with no field changed)', () => {
    const failed = {
      leadsTo: 'FAILED',
      set: { state: 'FAILED', failure: refused, finishedAt: NOW, ...crmofficeFailed },
    };
    const skipped = operationDocument({
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ write: 'SKIPPED', error: 'nothing to change' }),
    });
    const empty = operationDocument({
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ write: 'APPLIED', input: {} }),
    });
    expect(rejectionOf(skipped, refused, NOW)).toEqual(failed);
    expect(rejectionOf(empty, refused, NOW)).toEqual(failed);
  });

  it('keeps the Crmoffice record of a delete Crmoffice refused after Customerp deleted its own, as a Crmoffice-only record', () => {
    const op = operationDocument({
      kind: 'delete',
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ ref: { type: 'Product', id: 'prd-1' }, write: 'APPLIED' }),
    });
    expect(rejectionOf(op, refused, NOW)).toEqual({
      leadsTo: 'CRMOFFICE_ONLY',
      set: { state: 'FAILED', failure: refused, finishedAt: NOW, ...crmofficeFailed },
    });
  });

  it('fails a delete whose Customerp record was gone already: there is nothing to keep or undo', () => {
    const op = operationDocument({
      kind: 'delete',
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ ref: { type: 'Product', id: 'prd-1' }, write: 'SKIPPED' }),
    });
    expect(rejectionOf(op, refused, NOW)).toEqual({
      leadsTo: 'FAILED',
      set: { state: 'FAILED', failure: refused, finishedAt: NOW, ...crmofficeFailed },
    });
  });

  it('refuses a rejection in a state that writes no step', () => {
    for (const state of ['CRMOFFICE_DONE', 'COMPENSATING', 'APPLIED', 'COMPENSATED', 'FAILED'] as const) {
      expect(() => rejectionOf(operationDocument({ state }), refused, NOW)).toThrow(
        new Error(`operation key:k1: a rejection in state ${state}`),
      );
    }
  });
});

describe('unifiedFieldOf', () => {
  it('names the unified input field behind the field name of each system', () => {
    expect(unifiedFieldOf(employeeContact, 'CRMOFFICE', 'mobilePhone')).toBe('mobile');
    expect(unifiedFieldOf(employeeContact, 'CUSTOMERP', 'jobTitle')).toBe('title');
    expect(unifiedFieldOf(productCompany, 'CUSTOMERP', 'sku')).toBe('code');
  });

  it('names a reference by its input field (`ownerId`), from either system', () => {
    expect(unifiedFieldOf(projectActivity, 'CUSTOMERP', 'managerId')).toBe('ownerId');
    expect(unifiedFieldOf(projectActivity, 'CRMOFFICE', 'ownerContactId')).toBe('ownerId');
  });

  it('names none for a field of the other system, an unmapped field, or no field', () => {
    expect(unifiedFieldOf(employeeContact, 'CUSTOMERP', 'mobilePhone')).toBeNull();
    expect(unifiedFieldOf(employeeContact, 'CRMOFFICE', 'contactType')).toBeNull();
    expect(unifiedFieldOf(employeeContact, 'CRMOFFICE', undefined)).toBeNull();
  });
});

describe('failureOf', () => {
  it('records the refusal with the unified field it names', () => {
    const error = new UpstreamRejectedError('CRMOFFICE', 'mobilePhone is too long', 'BAD_USER_INPUT', 'mobilePhone');
    expect(failureOf(employeeContact, error)).toEqual({
      message: 'CRMOFFICE rejected the request: mobilePhone is too long',
      system: 'CRMOFFICE',
      upstreamCode: 'BAD_USER_INPUT',
      field: 'mobile',
    });
  });

  it('records null for what the system did not name', () => {
    const error = new UpstreamRejectedError('CUSTOMERP', 'not allowed', undefined, undefined);
    expect(failureOf(employeeContact, error)).toEqual({
      message: 'CUSTOMERP rejected the request: not allowed',
      system: 'CUSTOMERP',
      upstreamCode: null,
      field: null,
    });
  });
});
