import { describe, expect, it } from '@jest/globals';
import { BadUserInputError, ErrorCode } from '../../src/errors.js';
import {
  assertValidCanonicalInput,
  customerContact,
  employeeContact,
  productCompany,
  projectActivity,
  validateCanonicalInput,
  type Mapping,
} from '../../src/mappings/index.js';

/** The message and `extensions.field` of the first problem, or null. */
function problem(
  mapping: Mapping,
  values: Record<string, unknown>,
  mode: 'create' | 'update' = 'create',
  current?: Record<string, string>,
) {
  const error = validateCanonicalInput(mapping, values, { mode, ...(current ? { current } : {}) });
  return error ? { message: error.message, field: error.extensions['field'], code: error.extensions['code'] } : null;
}

const newEmployee = { firstName: 'Ada', lastName: 'Andersen', email: 'ada@example.com' };
const newActivity = { subject: 'Launch', startAt: '2025-03-04' };

describe('validateCanonicalInput', () => {
  it('accepts complete input', () => {
    expect(problem(employeeContact, { ...newEmployee, phone: null, active: true })).toBeNull();
    expect(
      problem(productCompany, { name: 'Orbit', code: 'SKU-1', website: 'https://orbit.example.com', active: false }),
    ).toBeNull();
    expect(
      problem(projectActivity, { ...newActivity, status: 'OPEN', dueAt: '2025-03-04', owner: 'link-1', company: null }),
    ).toBeNull();
  });

  it('requires the required fields on create, naming the first missing one', () => {
    expect(problem(employeeContact, { firstName: 'Ada', lastName: 'Andersen' })).toEqual({
      message: 'email is required',
      field: 'email',
      code: ErrorCode.BadUserInput,
    });
    expect(problem(customerContact, {})?.field).toBe('firstName');
    expect(problem(productCompany, { name: 'Orbit' })?.field).toBe('code');
    expect(problem(projectActivity, { startAt: '2025-03-04' })?.field).toBe('subject');
    // Customerp cannot create a project without a start date.
    expect(problem(projectActivity, { subject: 'Launch' })?.field).toBe('startAt');
  });

  it('leaves absent fields alone on update, but never lets a required field be cleared', () => {
    expect(problem(employeeContact, { phone: '+1 555' }, 'update')).toBeNull();
    expect(problem(employeeContact, { lastName: null }, 'update')).toMatchObject({
      message: 'lastName is required',
      field: 'lastName',
    });
    expect(problem(productCompany, { code: '   ' }, 'update')).toMatchObject({
      message: 'code is required',
      field: 'code',
    });
  });

  it('checks each declared type and names the unified field', () => {
    expect(problem(employeeContact, { ...newEmployee, email: 'ada-at-example' })).toMatchObject({
      message: 'email must be an e-mail address',
      field: 'email',
    });
    expect(problem(productCompany, { name: 'Orbit', code: 'S', website: 'ftp://orbit.example.com' })).toMatchObject({
      message: 'website must be an http or https URL',
      field: 'website',
    });
    expect(problem(employeeContact, { ...newEmployee, active: 'yes' })).toMatchObject({
      message: 'active must be a boolean',
      field: 'active',
    });
    expect(problem(employeeContact, { ...newEmployee, phone: 42 })).toMatchObject({
      message: 'phone must be a string',
      field: 'phone',
    });
    expect(problem(projectActivity, { ...newActivity, status: 'ON_HOLD' })).toMatchObject({
      message: 'status must be one of OPEN, IN_PROGRESS, DONE, CANCELLED',
      field: 'status',
    });
    expect(problem(projectActivity, { ...newActivity, dueAt: '2025-02-30' })).toMatchObject({
      message: 'dueAt must be a date (YYYY-MM-DD) or an ISO date-time',
      field: 'dueAt',
    });
    expect(problem(projectActivity, { ...newActivity, owner: '' })).toMatchObject({
      message: 'ownerId must be an id',
      field: 'ownerId',
    });
  });

  it('enforces the maximum lengths of the table', () => {
    expect(problem(employeeContact, { ...newEmployee, firstName: 'x'.repeat(201) })).toMatchObject({
      message: 'firstName must be at most 200 characters long',
      field: 'firstName',
    });
    expect(problem(employeeContact, { ...newEmployee, firstName: 'x'.repeat(200) })).toBeNull();
    expect(problem(projectActivity, { ...newActivity, description: 'x'.repeat(2001) })?.field).toBe('description');
  });

  it('names nested fields by their path', () => {
    expect(problem(customerContact, { ...newEmployee, 'address.postalCode': 12345 })).toMatchObject({
      message: 'address.postalCode must be a string',
      field: 'address.postalCode',
    });
  });

  it('rejects a field that the dataflow does not synchronize', () => {
    expect(problem(customerContact, { ...newEmployee, mobile: '+49 170 1' })).toMatchObject({
      message: 'mobile is not synchronized by the customer-contact dataflow',
      field: 'mobile',
    });
    expect(problem(employeeContact, { ...newEmployee, 'address.city': 'Berlin' })?.field).toBe('address.city');
  });

  it('does not let dueAt be before startAt, also against the current start on update', () => {
    expect(problem(projectActivity, { ...newActivity, dueAt: '2025-03-03' })).toMatchObject({
      message: 'dueAt must not be before startAt',
      field: 'dueAt',
    });
    expect(
      problem(projectActivity, { dueAt: '2025-03-03' }, 'update', { startAt: '2025-03-04', dueAt: '2025-04-01' })
        ?.field,
    ).toBe('dueAt');
    expect(
      problem(projectActivity, { startAt: '2025-04-02' }, 'update', { startAt: '2025-03-04', dueAt: '2025-04-01' })
        ?.field,
    ).toBe('dueAt');
    expect(
      problem(projectActivity, { dueAt: null }, 'update', { startAt: '2025-03-04', dueAt: '2025-04-01' }),
    ).toBeNull();
  });
});

describe('assertValidCanonicalInput', () => {
  it('gives valid input back as canonical values, dropping absent fields', () => {
    expect(
      assertValidCanonicalInput(employeeContact, { ...newEmployee, phone: undefined }, { mode: 'create' }),
    ).toEqual(newEmployee);
  });

  it('throws the BadUserInputError', () => {
    expect(() => assertValidCanonicalInput(employeeContact, {}, { mode: 'create' })).toThrow(BadUserInputError);
  });
});
