import { GraphQLScalarType, Kind } from 'graphql';
import { BadUserInputError } from '../../errors.js';

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * The `DateTime` scalar. It only insists on a string: the mutation checks the instant itself, so
 * that a bad value fails with BAD_USER_INPUT naming its field (a scalar's own error could not).
 */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO 8601 instant; answered in UTC with milliseconds.',
  serialize: (value) => {
    if (typeof value !== 'string') throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return value;
  },
  parseValue: (value) => {
    if (typeof value !== 'string') throw new TypeError('DateTime must be a string');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return ast.value;
  },
});

/**
 * `value` as the canonical form Crmoffice stores and answers (`toISOString()`: UTC, milliseconds).
 * Throws BAD_USER_INPUT naming `field` unless it is a real instant with date, time and zone.
 */
export function normalizeDateTime(value: string, field: string): string {
  const match = ISO_DATE_TIME.exec(value);
  const invalid = (): BadUserInputError =>
    new BadUserInputError(`${field} must be an ISO 8601 date-time with zone, e.g. 2025-03-01T09:30:00.000Z`, field);
  if (!match) throw invalid();
  const [year, month, day, hour, minute, second = 0, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as [
    number,
    number,
    number,
    number,
    number,
    number?,
    number?,
    number?,
  ];
  const inRange =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59;
  const time = Date.parse(value);
  if (!inRange || Number.isNaN(time)) throw invalid();
  return new Date(time).toISOString();
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
