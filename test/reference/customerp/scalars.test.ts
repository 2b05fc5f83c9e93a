import { describe, expect, it } from '@jest/globals';
import { GraphQLError, parseValue } from 'graphql';
import { DateScalar, DateTimeScalar, isCalendarDate, isUtcInstant } from '../../../src/reference/customerp/scalars.js';

/** What a scalar threw, as a client would see it. */
function rejection(run: () => unknown): { message: string; extensions: unknown } | 'accepted' {
  try {
    run();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { message: error.message, extensions: error.extensions };
  }
}

describe('isCalendarDate', () => {
  it.each(['2025-01-31', '2024-02-29', '2000-02-29', '0001-01-01'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each([
    '2025-02-29',
    '2025-02-30',
    '2025-13-01',
    '2025-00-10',
    '1900-02-29',
    '2025-1-5',
    '01.03.2025',
    '2025-01-01T00:00:00Z',
    '',
  ])('rejects %j', (value) => {
    expect(isCalendarDate(value)).toBe(false);
  });
});

describe('isUtcInstant', () => {
  it('accepts what Date#toISOString writes', () => {
    expect(isUtcInstant('2025-03-01T09:30:00.000Z')).toBe(true);
  });

  it.each([
    '2025-03-01T09:30:00Z',
    '2025-03-01T09:30:00.000+01:00',
    '2025-02-30T09:30:00.000Z',
    '2025-03-01T24:00:00.000Z',
    '2025-03-01',
  ])('rejects %j', (value) => {
    expect(isUtcInstant(value)).toBe(false);
  });
});

describe('Date scalar', () => {
  it('passes a date through both ways', () => {
    expect([
      DateScalar.parseValue('2025-06-30'),
      DateScalar.serialize('2025-06-30'),
      DateScalar.parseLiteral(parseValue('"2025-06-30"')),
    ]).toEqual(['2025-06-30', '2025-06-30', '2025-06-30']);
  });

  it('rejects a day that does not exist with BAD_USER_INPUT', () => {
    expect(rejection(() => DateScalar.parseValue('2025-02-30'))).toEqual({
      message: 'Date must be a real calendar date written YYYY-MM-DD, got "2025-02-30"',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('rejects a literal that is not a string, naming it', () => {
    expect(rejection(() => DateScalar.parseLiteral(parseValue('20250630')))).toEqual({
      message: 'Date must be a real calendar date written YYYY-MM-DD, got 20250630',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('refuses to serialize a value that is not a date', () => {
    expect(rejection(() => DateScalar.serialize(20250630))).toEqual({
      message: 'Date must be a real calendar date written YYYY-MM-DD, got 20250630',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});

describe('DateTime scalar', () => {
  it('accepts an instant in UTC with milliseconds and rejects one without', () => {
    expect(DateTimeScalar.parseValue('2025-03-01T09:30:00.000Z')).toBe('2025-03-01T09:30:00.000Z');
    expect(rejection(() => DateTimeScalar.parseValue('2025-03-01T09:30:00Z'))).toEqual({
      message:
        'DateTime must be an ISO 8601 instant in UTC with milliseconds, e.g. 2025-03-01T09:30:00.000Z, got "2025-03-01T09:30:00Z"',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
