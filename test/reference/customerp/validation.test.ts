import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { employeeFields, productFields, projectFields } from '../../../src/reference/customerp/fields.js';
import { validateCreate, validateUpdate } from '../../../src/reference/customerp/validation.js';

/** The BAD_USER_INPUT a validation threw: its message and field. */
function rejection(run: () => unknown): { message: string; field: unknown } | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof GraphQLError) || error.extensions['code'] !== 'BAD_USER_INPUT') throw error;
    return { message: error.message, field: error.extensions['field'] };
  }
}

describe('validateCreate', () => {
  it('answers every field in table order: defaults applied, the number left to assign, the rest null', () => {
    const fields = validateCreate(employeeFields, { email: 'a@b.example', lastName: 'Lee', firstName: 'Ann' });
    expect(Object.entries(fields)).toEqual([
      ['employeeNumber', null],
      ['firstName', 'Ann'],
      ['lastName', 'Lee'],
      ['email', 'a@b.example'],
      ['phone', null],
      ['mobile', null],
      ['jobTitle', null],
      ['department', null],
      ['active', true],
    ]);
  });

  it('applies the project status default', () => {
    expect(validateCreate(projectFields, { name: 'P', startDate: '2025-01-01' })).toMatchObject({
      status: 'PLANNED',
      endDate: null,
    });
  });

  it('names the first bad field in table order', () => {
    expect(rejection(() => validateCreate(employeeFields, { firstName: ' ', lastName: '', email: 'x' }))).toEqual({
      message: 'firstName must not be blank',
      field: 'firstName',
    });
  });

  it.each([
    [
      { sku: 'A', name: 'N', website: 'mailto:a@b.example' },
      'website must be an http or https URL, got "mailto:a@b.example"',
      'website',
    ],
    [
      { sku: 'A', name: 'N', website: 'https://exa mple.com' },
      'website must be an http or https URL, got "https://exa mple.com"',
      'website',
    ],
    [{ sku: 'A', name: 'x'.repeat(201) }, 'name must be at most 200 characters, got 201', 'name'],
    [
      { sku: 'A', name: 'N', description: 'x'.repeat(2001) },
      'description must be at most 2000 characters, got 2001',
      'description',
    ],
    [{ name: 'N' }, 'sku is required', 'sku'],
    [{ sku: 'A', name: 'N', active: null }, 'active is required', 'active'],
  ])('rejects %j', (input, message, field) => {
    expect(rejection(() => validateCreate(productFields, input))).toEqual({ message, field });
  });

  it('accepts the longest allowed strings and http URLs', () => {
    expect(
      rejection(() =>
        validateCreate(productFields, {
          sku: 'A',
          name: 'x'.repeat(200),
          description: 'x'.repeat(2000),
          website: 'http://a.example/x?y=1',
        }),
      ),
    ).toBe('accepted');
  });

  it('rejects a date that does not exist', () => {
    expect(rejection(() => validateCreate(projectFields, { name: 'P', startDate: '2025-04-31' }))).toEqual({
      message: 'startDate must be a real calendar date written YYYY-MM-DD, got "2025-04-31"',
      field: 'startDate',
    });
  });
});

describe('validateUpdate', () => {
  it('answers only the fields given, null clearing optional ones', () => {
    expect(validateUpdate(employeeFields, { phone: null, jobTitle: 'CTO' })).toEqual({ phone: null, jobTitle: 'CTO' });
    expect(validateUpdate(employeeFields, {})).toEqual({});
  });

  it.each([
    ['employeeNumber', { employeeNumber: null }],
    ['email', { email: null }],
    ['active', { active: null }],
  ])('rejects null on the required field %s', (field, input) => {
    expect(rejection(() => validateUpdate(employeeFields, input))).toEqual({ message: `${field} is required`, field });
  });

  it('lets references be cleared', () => {
    expect(validateUpdate(projectFields, { managerId: null, productId: null })).toEqual({
      managerId: null,
      productId: null,
    });
  });
});
