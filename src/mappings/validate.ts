import { BadUserInputError } from '../errors.js';
import { inputFieldOf, type CanonicalValue, type CanonicalValues } from './canonical.js';
import { isIsoDate } from './codecs.js';
import { mappedProperties, propertyOf, type MappedProperty, type Mapping } from './dataflow.js';

export interface ValidationOptions {
  /** `create`: required fields must be given; `update`: absent fields are left alone, but none may be cleared. */
  mode: 'create' | 'update';
  /** The record's canonical values before an update, for rules across fields (dueAt not before startAt). */
  current?: Readonly<CanonicalValues>;
}

// Deliberately loose: one @, no spaces, a dot in the domain. The systems may check more.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// An instant with date, time and zone: what Crmoffice's DateTime fields accept (and nothing else).
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function isIsoDateTime(value: string): boolean {
  const match = ISO_DATE_TIME.exec(value);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year, month - 1, day));
  const realDay = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return (
    realDay &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    !Number.isNaN(Date.parse(value))
  );
}

/** YYYY-MM-DD naming a real day. */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** What is wrong with one value, or null; `name` is the unified input field. */
function problemWith(property: MappedProperty, name: string, value: unknown): string | null {
  const type = property.codec.valueType;
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') return `${name} must be a string`;
      if (property.maxLength !== undefined && value.length > property.maxLength) {
        return `${name} must be at most ${property.maxLength} characters long`;
      }
      if (type.format === 'email' && !EMAIL.test(value)) return `${name} must be an e-mail address`;
      if (type.format === 'url' && !isHttpUrl(value)) return `${name} must be an http or https URL`;
      // A Crmoffice DateTime kept as a string (a Crmoffice-only record's dates): it still has to be one.
      if (property.codec.crmofficeType === 'DateTime' && !isIsoDateTime(value) && !isCalendarDate(value)) {
        return `${name} must be an ISO 8601 date-time with zone or a date, e.g. 2025-03-01T09:30:00.000Z or 2025-03-01`;
      }
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${name} must be a boolean`;
    case 'enum':
      return typeof value === 'string' && type.values.includes(value)
        ? null
        : `${name} must be one of ${type.values.join(', ')}`;
    case 'date':
      return typeof value === 'string' && isIsoDate(value)
        ? null
        : `${name} must be a date (YYYY-MM-DD) or an ISO date-time`;
    case 'link':
      return typeof value === 'string' && value !== '' ? null : `${name} must be an id`;
    default: {
      const unreachable: never = type;
      throw new Error(`unknown value type ${JSON.stringify(unreachable)}`);
    }
  }
}

function isBlank(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.trim() === '');
}

/**
 * Checks canonical input (see canonicalFromInput) against the mapping's declared types, required flags,
 * lengths and date order. Returns the first problem as a BadUserInputError whose `extensions.field`
 * is the unified input field (`address.street`, `ownerId`), or null when the input is valid.
 */
export function validateCanonicalInput(
  mapping: Mapping,
  values: Readonly<Record<string, unknown>>,
  options: ValidationOptions,
): BadUserInputError | null {
  const nameOf = (field: string): string => inputFieldOf(mapping.unifiedType, field);
  for (const field of Object.keys(values)) {
    if (values[field] !== undefined && !propertyOf(mapping, field)) {
      return new BadUserInputError(
        `${nameOf(field)} is not synchronized by the ${mapping.name} dataflow`,
        nameOf(field),
      );
    }
  }
  for (const property of mappedProperties(mapping)) {
    const name = nameOf(property.field);
    const value = values[property.field];
    if (value === undefined) {
      if (options.mode === 'create' && property.required) return new BadUserInputError(`${name} is required`, name);
      continue;
    }
    if (isBlank(value)) {
      if (property.required) return new BadUserInputError(`${name} is required`, name);
      if (value === null) continue;
    }
    const problem = problemWith(property, name, value);
    if (problem) return new BadUserInputError(problem, name);
  }
  for (const property of mappedProperties(mapping)) {
    if (property.notBefore === undefined) continue;
    const date = effective(values, options.current, property.field);
    const earliest = effective(values, options.current, property.notBefore);
    if (typeof date === 'string' && typeof earliest === 'string' && isBefore(date, earliest)) {
      const name = nameOf(property.field);
      return new BadUserInputError(`${name} must not be before ${nameOf(property.notBefore)}`, name);
    }
  }
  return null;
}

/** Dates (YYYY-MM-DD) compare as text; date-times (any zone) as the instants they name. */
function isBefore(date: string, earliest: string): boolean {
  const [a, b] = [Date.parse(date), Date.parse(earliest)];
  return Number.isNaN(a) || Number.isNaN(b) ? date < earliest : a < b;
}

function effective(
  values: Readonly<Record<string, unknown>>,
  current: Readonly<CanonicalValues> | undefined,
  field: string,
): unknown {
  return values[field] !== undefined ? values[field] : current?.[field];
}

/** validateCanonicalInput that throws its error, and otherwise gives the input typed as canonical values. */
export function assertValidCanonicalInput(
  mapping: Mapping,
  values: Readonly<Record<string, unknown>>,
  options: ValidationOptions,
): CanonicalValues {
  const error = validateCanonicalInput(mapping, values, options);
  if (error) throw error;
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [field: string]: CanonicalValue;
  };
}
