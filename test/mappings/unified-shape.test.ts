import { describe, expect, it } from '@jest/globals';
import {
  canonicalFromInput,
  customerContact,
  employeeContact,
  projectActivity,
  toUnifiedFields,
} from '../../src/mappings/index.js';

describe('canonicalFromInput', () => {
  it('flattens the address, turns empty strings into null and drops keys that are no Contact field', () => {
    const input = {
      kind: 'CUSTOMER_CONTACT',
      idempotencyKey: 'k-1',
      firstName: 'Ben',
      phone: '',
      address: { city: 'Hamburg', street: null },
    };
    expect(canonicalFromInput(customerContact, input)).toEqual({
      firstName: 'Ben',
      phone: null,
      'address.street': null,
      'address.city': 'Hamburg',
    });
  });

  it('clears every address leaf for address: null', () => {
    expect(canonicalFromInput(customerContact, { address: null })).toEqual({
      'address.street': null,
      'address.city': null,
      'address.postalCode': null,
      'address.country': null,
    });
  });

  it('keeps Contact fields this flow does not synchronize, so that validation names them', () => {
    expect(canonicalFromInput(employeeContact, { address: { city: 'Berlin' } })).toEqual({ 'address.city': 'Berlin' });
  });

  it('reads ownerId and companyId as owner and company, and date-times as their UTC date', () => {
    const input = {
      subject: 'Launch',
      ownerId: 'link-1',
      companyId: null,
      startAt: '2025-03-04T22:30:00-03:00',
      dueAt: '2025-04-01',
      status: 'OPEN',
    };
    expect(canonicalFromInput(projectActivity, input)).toEqual({
      subject: 'Launch',
      owner: 'link-1',
      company: null,
      startAt: '2025-03-05',
      dueAt: '2025-04-01',
      status: 'OPEN',
    });
    expect(canonicalFromInput(projectActivity, { startAt: 'soon' })).toEqual({ startAt: 'soon' });
  });
});

describe('toUnifiedFields', () => {
  it('nests the address again, null when every leaf is', () => {
    const leaves = {
      'address.street': null,
      'address.city': 'Hamburg',
      'address.postalCode': null,
      'address.country': 'DE',
    };
    expect(toUnifiedFields(customerContact, { firstName: 'Ben', ...leaves })).toEqual({
      firstName: 'Ben',
      address: { street: null, city: 'Hamburg', postalCode: null, country: 'DE' },
    });
    expect(toUnifiedFields(customerContact, { 'address.street': null, 'address.city': null })).toEqual({
      address: null,
    });
  });

  it('shows dates as DateTime at 00:00 UTC and keeps references as link ids', () => {
    expect(toUnifiedFields(projectActivity, { startAt: '2025-03-04', dueAt: null, owner: 'link-1' })).toEqual({
      startAt: '2025-03-04T00:00:00.000Z',
      dueAt: null,
      owner: 'link-1',
    });
  });
});
