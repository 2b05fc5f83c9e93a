import { BadUserInputError } from '../../errors.js';

/** One string field's rules. Checked on the whole record as it would be after the write. */
export interface StringRule {
  /** Path in the record (`address.city`); also the `extensions.field` of its errors. */
  field: string;
  maxLength: number;
  /** Must be present and not blank. @default false */
  required?: boolean;
  format?: 'email' | 'url';
}

const SHORT = 200;
const LONG = 2000;

export const contactRules: readonly StringRule[] = [
  { field: 'firstName', maxLength: SHORT },
  { field: 'lastName', maxLength: SHORT, required: true },
  { field: 'email', maxLength: SHORT, required: true, format: 'email' },
  { field: 'phone', maxLength: SHORT },
  { field: 'mobilePhone', maxLength: SHORT },
  { field: 'title', maxLength: SHORT },
  { field: 'department', maxLength: SHORT },
  { field: 'address.street', maxLength: SHORT },
  { field: 'address.city', maxLength: SHORT },
  { field: 'address.postalCode', maxLength: SHORT },
  { field: 'address.country', maxLength: SHORT },
];

export const companyRules: readonly StringRule[] = [
  { field: 'name', maxLength: SHORT, required: true },
  { field: 'description', maxLength: LONG },
  { field: 'industry', maxLength: SHORT },
  { field: 'website', maxLength: SHORT, format: 'url' },
  { field: 'code', maxLength: SHORT, required: true },
];

export const activityRules: readonly StringRule[] = [
  { field: 'subject', maxLength: SHORT, required: true },
  { field: 'description', maxLength: LONG },
];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Throws BAD_USER_INPUT naming the first field of `record` that breaks its rule. */
export function assertValidStrings(record: object, rules: readonly StringRule[]): void {
  for (const rule of rules) {
    const value = valueAt(record, rule.field);
    const { field } = rule;
    if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
      if (rule.required) throw new BadUserInputError(`${field} is required`, field);
      continue;
    }
    if (typeof value !== 'string') throw new BadUserInputError(`${field} must be a string`, field);
    if (value.length > rule.maxLength) {
      throw new BadUserInputError(`${field} must be at most ${rule.maxLength} characters`, field);
    }
    if (rule.format === 'email' && !EMAIL.test(value)) {
      throw new BadUserInputError(`${field} must be an e-mail address`, field);
    }
    if (rule.format === 'url' && !isWebUrl(value)) {
      throw new BadUserInputError(`${field} must be an http or https URL`, field);
    }
  }
}

/**
 * `base` with the given input fields written over it: an omitted (undefined) field is left alone,
 * null clears it, and null on one of `required` is BAD_USER_INPUT.
 */
export function mergeInput<F extends object>(base: F, input: object, required: readonly string[]): F {
  const next = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (value === null && required.includes(key)) throw new BadUserInputError(`${key} is required`, key);
    next[key] = value;
  }
  return next as F;
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Split once per path: validation runs for every seeded record too. */
const pathParts = new Map<string, string[]>();

function valueAt(record: object, path: string): unknown {
  let parts = pathParts.get(path);
  if (!parts) pathParts.set(path, (parts = path.split('.')));
  let value: unknown = record;
  for (const part of parts) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
