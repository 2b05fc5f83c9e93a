import { describe, expect, it } from '@jest/globals';
import type { CrmofficeContact } from '../../src/mappings/index.js';
import { matchesInput, previousValues, restoreInput } from '../../src/writes/record-input.js';

/** System inputs against records: what an update replaces, whether a record holds a create's input, what undoes an update. */

const contact: CrmofficeContact = {
  id: 'con-1',
  etag: 'W/"3"',
  modifiedAt: '2025-06-01T10:00:00.000Z',
  firstName: 'Ada',
  lastName: 'Andersen',
  email: 'ada@example.com',
  phone: null,
  mobilePhone: '+45 1234',
  title: 'Engineer',
  department: null,
  contactType: 'EMPLOYEE',
  companyId: null,
  active: true,
  address: { street: 'Main St 1', city: 'Aarhus', postalCode: null, country: 'DK' },
};

/** The record with GraphQL's __typename on its nested object, should a query ask for it. */
const withTypename = { ...contact, address: { ...contact.address, __typename: 'Address' } };

describe('previousValues', () => {
  it('takes the current value of each field the input writes, null for an empty one', () => {
    expect(previousValues({ title: 'Lead', phone: '+45 9', active: false }, contact)).toEqual({
      title: 'Engineer',
      phone: null,
      active: true,
    });
  });

  it('takes a nested object whole, without the __typename of GraphQL', () => {
    expect(previousValues({ address: { city: 'Odense' } }, withTypename)).toEqual({
      address: { street: 'Main St 1', city: 'Aarhus', postalCode: null, country: 'DK' },
    });
  });

  it('takes null for a field the record lacks', () => {
    expect(previousValues({ nickname: 'A' }, contact)).toEqual({ nickname: null });
  });
});

describe('matchesInput', () => {
  it('matches a record that holds every value of the input, missing and null alike', () => {
    expect(
      matchesInput(contact, {
        firstName: 'Ada',
        phone: null,
        nickname: null,
        address: { city: 'Aarhus', postalCode: null },
      }),
    ).toBe(true);
  });

  it('does not match a record that differs in one field, or one nested leaf', () => {
    expect(matchesInput(contact, { firstName: 'Ada', title: 'Lead' })).toBe(false);
    expect(matchesInput(contact, { address: { city: 'Odense' } })).toBe(false);
  });
});

describe('restoreInput', () => {
  it('writes back the previous value of each field that still holds what the update wrote', () => {
    expect(restoreInput({ title: 'Engineer', active: true }, { title: 'Intern', active: false }, contact)).toEqual({
      title: 'Intern',
      active: false,
    });
  });

  it('leaves a field edited since alone: the newer value stays', () => {
    expect(
      restoreInput({ title: 'Lead', mobilePhone: '+45 1234' }, { title: 'Intern', mobilePhone: null }, contact),
    ).toEqual({ mobilePhone: null });
  });

  it('compares a nested object whole, whatever the key order', () => {
    const written = { address: { country: 'DK', postalCode: null, city: 'Aarhus', street: 'Main St 1' } };
    const previous = { address: { street: 'Old St 2', city: 'Aarhus', postalCode: null, country: 'DK' } };
    expect(restoreInput(written, previous, contact)).toEqual(previous);
  });

  it('writes null back where the previous values lack the field', () => {
    expect(restoreInput({ title: 'Engineer' }, {}, contact)).toEqual({ title: null });
  });

  it('writes nothing back when every field was edited since', () => {
    expect(restoreInput({ title: 'Lead' }, { title: 'Intern' }, contact)).toEqual({});
  });
});
