import { BadUserInputError } from '../../errors.js';
import type { FieldRule, FieldTable } from './fields.js';
import type { CustomerpRecord } from './records.js';
import { isCalendarDate } from './scalars.js';

/** One address, no spaces, a dot in the domain: what a mail server would at least try. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

/**
 * Checks a create input against a field table, field by field in table order. Answers the record's
 * writable fields in that order, defaults applied and omitted optional fields null; a numbered
 * field left out stays null for the database to assign. Throws BadUserInputError naming the first
 * bad field.
 */
export function validateCreate<R extends CustomerpRecord>(
  table: FieldTable<R>,
  input: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(table) as Array<[string, FieldRule]>) {
    const given = input[name];
    const value = given === undefined && 'default' in rule ? rule.default : (given ?? null);
    checkValue(name, rule, value, 'create');
    fields[name] = value;
  }
  return fields;
}

/**
 * Checks an update input: an omitted field is left alone, null clears an optional field and is
 * rejected on a required one. Answers only the fields given, in table order.
 */
export function validateUpdate<R extends CustomerpRecord>(
  table: FieldTable<R>,
  input: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(table) as Array<[string, FieldRule]>) {
    const value = input[name];
    if (value === undefined) continue;
    checkValue(name, rule, value, 'update');
    patch[name] = value;
  }
  return patch;
}

function checkValue(name: string, rule: FieldRule, value: unknown, mode: 'create' | 'update'): void {
  if (value === null) {
    if (isRequired(rule) && !(mode === 'create' && rule.type === 'string' && rule.numbered)) {
      throw new BadUserInputError(`${name} is required`, name);
    }
    return;
  }
  switch (rule.type) {
    case 'string':
      if (typeof value !== 'string') throw new BadUserInputError(`${name} must be a string`, name);
      if (rule.required && value.trim() === '') throw new BadUserInputError(`${name} must not be blank`, name);
      if (value.length > rule.maxLength) {
        throw new BadUserInputError(`${name} must be at most ${rule.maxLength} characters, got ${value.length}`, name);
      }
      if (rule.format === 'email' && !EMAIL.test(value)) {
        throw new BadUserInputError(`${name} must be an e-mail address, got ${JSON.stringify(value)}`, name);
      }
      if (rule.format === 'url' && !isWebUrl(value)) {
        throw new BadUserInputError(`${name} must be an http or https URL, got ${JSON.stringify(value)}`, name);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new BadUserInputError(`${name} must be true or false`, name);
      return;
    case 'enum':
      if (typeof value !== 'string') throw new BadUserInputError(`${name} must be one of the enum's values`, name);
      return;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) {
        throw new BadUserInputError(
          `${name} must be a real calendar date written YYYY-MM-DD, got ${JSON.stringify(value)}`,
          name,
        );
      }
      return;
    case 'reference':
      if (typeof value !== 'string' || value === '') throw new BadUserInputError(`${name} must be an id`, name);
      return;
    default:
      return unreachable(rule);
  }
}

/** Whether a record always has a value in this field (so an input may not null it). */
function isRequired(rule: FieldRule): boolean {
  switch (rule.type) {
    case 'string':
    case 'date':
      return rule.required;
    case 'boolean':
    case 'enum':
      return true;
    case 'reference':
      return false;
    default:
      return unreachable(rule);
  }
}

function isWebUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
