import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { ErrorCode } from '../../errors.js';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for `YYYY-MM-DD` naming a day that exists (`2024-02-29` yes, `2025-02-30` no). */
export function isCalendarDate(value: string): boolean {
  if (!CALENDAR_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** True for an ISO 8601 instant in UTC with milliseconds, as `Date#toISOString` writes it. */
export function isUtcInstant(value: string): boolean {
  if (!UTC_INSTANT.test(value)) return false;
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value;
}

/** The `Date` scalar: a calendar date as `YYYY-MM-DD`; anything else is BAD_USER_INPUT. */
export const DateScalar = stringScalar(
  'Date',
  'A calendar date, `YYYY-MM-DD`.',
  isCalendarDate,
  'a real calendar date written YYYY-MM-DD',
);

/** The `DateTime` scalar: ISO 8601 in UTC with milliseconds; anything else is BAD_USER_INPUT. */
export const DateTimeScalar = stringScalar(
  'DateTime',
  'An instant, ISO 8601 in UTC with milliseconds: `2025-03-01T09:30:00.000Z`.',
  isUtcInstant,
  'an ISO 8601 instant in UTC with milliseconds, e.g. 2025-03-01T09:30:00.000Z',
);

function stringScalar(
  name: string,
  description: string,
  isValid: (value: string) => boolean,
  expected: string,
): GraphQLScalarType<string, string> {
  const reject = (shown: string): never => {
    throw new GraphQLError(`${name} must be ${expected}, got ${shown}`, {
      extensions: { code: ErrorCode.BadUserInput },
    });
  };
  const check = (value: unknown): string =>
    typeof value === 'string' && isValid(value) ? value : reject(JSON.stringify(value) ?? String(value));
  return new GraphQLScalarType<string, string>({
    name,
    description,
    serialize: check,
    parseValue: check,
    parseLiteral: (ast: ValueNode) => (ast.kind === Kind.STRING ? check(ast.value) : reject(print(ast))),
  });
}
