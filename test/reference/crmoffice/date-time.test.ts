import { describe, expect, it } from '@jest/globals';
import { normalizeDateTime } from '../../../src/reference/crmoffice/date-time.js';

function failureOf(value: string): { message: string; extensions: Record<string, unknown> } | 'accepted' {
  try {
    normalizeDateTime(value, 'startAt');
    return 'accepted';
  } catch (error) {
    const { message, extensions } = error as { message: string; extensions: Record<string, unknown> };
    return { message, extensions };
  }
}

describe('normalizeDateTime', () => {
  it('answers UTC with milliseconds whatever zone and precision came in', () => {
    expect(
      [
        '2025-03-01T09:30:00.000Z',
        '2025-03-01T09:30Z',
        '2025-03-01T10:30:00+01:00',
        '2025-03-01T04:00:00.5-05:30',
        '2025-03-01T09:30:00.123456789Z',
      ].map((value) => normalizeDateTime(value, 'startAt')),
    ).toEqual([
      '2025-03-01T09:30:00.000Z',
      '2025-03-01T09:30:00.000Z',
      '2025-03-01T09:30:00.000Z',
      '2025-03-01T09:30:00.500Z',
      '2025-03-01T09:30:00.123Z',
    ]);
  });

  it('accepts 29 February in a leap year only', () => {
    expect(normalizeDateTime('2024-02-29T00:00:00Z', 'startAt')).toBe('2024-02-29T00:00:00.000Z');
    expect(failureOf('2025-02-29T00:00:00Z')).not.toBe('accepted');
  });

  it('rejects what is not an instant with BAD_USER_INPUT naming the field', () => {
    const rejected = [
      '2025-03-01',
      '2025-03-01T09:30:00',
      'tomorrow',
      '2025-02-30T09:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-03-01T24:00:00Z',
      '2025-03-01T09:60:00Z',
      '',
    ];
    expect(rejected.map(failureOf)).toEqual(
      rejected.map(() => ({
        message: 'startAt must be an ISO 8601 date-time with zone, e.g. 2025-03-01T09:30:00.000Z',
        extensions: { code: 'BAD_USER_INPUT', field: 'startAt' },
      })),
    );
  });
});
