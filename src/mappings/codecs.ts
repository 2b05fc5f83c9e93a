import type { SystemName } from '../errors.js';
import type { CanonicalValue } from './canonical.js';
import type { InputScalar } from './records.js';

/**
 * Value codecs: how one property's value reads from and writes to each system. A codec is a pair of
 * side converters over one canonical value type; the engine (convert.ts) applies them and keeps
 * lossy maps from flipping back, validation (validate.ts) checks the canonical value type, and the
 * dataflow document (document.ts) prints the annotations.
 */

/** What a canonical value must look like; drives input validation. */
export type ValueType =
  | { readonly kind: 'string'; readonly format?: 'email' | 'url' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** YYYY-MM-DD */
  | { readonly kind: 'date' }
  /** The unified link id of another record. */
  | { readonly kind: 'link' };

/** One system's side of a codec. */
export interface SideConverter {
  /** The system's raw value → canonical; throws a TypeError naming what was expected for a malformed value. */
  decode(raw: unknown): CanonicalValue;
  /** Canonical → the system's value, the default mapping (used when the current value does not already match). */
  encode(value: CanonicalValue): InputScalar;
  /** Printed after the property name in the dataflow document, e.g. ` (true ↔ ACTIVE, false ↔ INACTIVE)`. */
  readonly annotation?: string;
}

export interface ValueCodec {
  readonly kind: 'value';
  readonly valueType: ValueType;
  /** The "Crmoffice Data Type" column of the dataflow document. */
  readonly crmofficeType: string;
  readonly sides: Readonly<Record<SystemName, SideConverter>>;
}

/**
 * A reference to another linked record: canonical value = the target's link id; each side holds the
 * target's record id, of the given type in that system. Translation needs links, so the engine does it.
 */
export interface ReferenceCodec {
  readonly kind: 'reference';
  readonly valueType: { readonly kind: 'link' };
  readonly crmofficeType: 'ID';
  readonly targets: Readonly<Record<SystemName, string>>;
}

export type Codec = ValueCodec | ReferenceCodec;

function malformed(expected: string, raw: unknown): TypeError {
  return new TypeError(`expected ${expected}, got ${JSON.stringify(raw)}`);
}

function isEmpty(raw: unknown): raw is null | undefined | '' {
  return raw === null || raw === undefined || raw === '';
}

const plainString: SideConverter = {
  decode: (raw) => {
    if (isEmpty(raw)) return null;
    if (typeof raw !== 'string') throw malformed('a string', raw);
    return raw;
  },
  encode: (value) => value,
};

const plainBoolean: SideConverter = {
  decode: (raw) => {
    if (raw === null || raw === undefined) return null;
    if (typeof raw !== 'boolean') throw malformed('a boolean', raw);
    return raw;
  },
  encode: (value) => value,
};

function plainEnum(values: readonly string[]): SideConverter {
  return {
    decode: (raw) => {
      if (isEmpty(raw)) return null;
      if (typeof raw !== 'string' || !values.includes(raw)) throw malformed(`one of ${values.join(', ')}`, raw);
      return raw;
    },
    encode: (value) => value,
  };
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The UTC date (YYYY-MM-DD) of an ISO date-time, or null when it is not one. */
export function utcDateOf(dateTime: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(dateTime)) return null;
  const time = Date.parse(dateTime);
  return Number.isNaN(time) ? null : new Date(time).toISOString().slice(0, 10);
}

const plainDate: SideConverter = {
  decode: (raw) => {
    if (isEmpty(raw)) return null;
    if (typeof raw !== 'string' || !isIsoDate(raw)) throw malformed('a date YYYY-MM-DD', raw);
    return raw;
  },
  encode: (value) => value,
};

/** Plain text, the same on both sides. */
export function text(format?: 'email' | 'url'): ValueCodec {
  const label = format === 'email' ? 'String (email)' : format === 'url' ? 'String (URL)' : 'String';
  return {
    kind: 'value',
    valueType: format ? { kind: 'string', format } : { kind: 'string' },
    crmofficeType: label,
    sides: { CUSTOMERP: plainString, CRMOFFICE: plainString },
  };
}

/** A boolean, the same on both sides. */
export const flag: ValueCodec = {
  kind: 'value',
  valueType: { kind: 'boolean' },
  crmofficeType: 'Boolean',
  sides: { CUSTOMERP: plainBoolean, CRMOFFICE: plainBoolean },
};

/** A Customerp boolean that Crmoffice keeps as a two-valued enum (`active` ↔ CompanyStatus). */
export function booleanAsEnum(crmofficeEnum: string, whenTrue: string, whenFalse: string): ValueCodec {
  return {
    kind: 'value',
    valueType: { kind: 'boolean' },
    crmofficeType: crmofficeEnum,
    sides: {
      CUSTOMERP: plainBoolean,
      CRMOFFICE: {
        decode: (raw) => {
          if (isEmpty(raw)) return null;
          if (raw === whenTrue) return true;
          if (raw === whenFalse) return false;
          throw malformed(`${whenTrue} or ${whenFalse}`, raw);
        },
        encode: (value) => (value === null ? null : value ? whenTrue : whenFalse),
        annotation: ` (true ↔ ${whenTrue}, false ↔ ${whenFalse})`,
      },
    },
  };
}

/**
 * A finer Customerp enum mapped onto a coarser Crmoffice enum, which is the canonical value. Going back,
 * the first Customerp value that maps to a Crmoffice value is the default (so list ACTIVE before ON_HOLD).
 */
export function enumMap(crmofficeEnum: string, customerpToCrmoffice: Readonly<Record<string, string>>): ValueCodec {
  const pairs = Object.entries(customerpToCrmoffice);
  const crmofficeValues = [...new Set(pairs.map(([, to]) => to))];
  const customerpValues = pairs.map(([from]) => from);
  const defaultCustomerp = new Map<string, string>();
  for (const [from, to] of pairs) if (!defaultCustomerp.has(to)) defaultCustomerp.set(to, from);
  return {
    kind: 'value',
    valueType: { kind: 'enum', values: crmofficeValues },
    crmofficeType: crmofficeEnum,
    sides: {
      CUSTOMERP: {
        decode: (raw) => {
          if (isEmpty(raw)) return null;
          const mapped = typeof raw === 'string' ? customerpToCrmoffice[raw] : undefined;
          if (mapped === undefined) throw malformed(`one of ${customerpValues.join(', ')}`, raw);
          return mapped;
        },
        encode: (value) => (typeof value === 'string' ? (defaultCustomerp.get(value) ?? null) : null),
      },
      CRMOFFICE: {
        ...plainEnum(crmofficeValues),
        annotation: `: ${pairs.map(([from, to]) => `${from}→${to}`).join(', ')}`,
      },
    },
  };
}

/** A Customerp `Date` that Crmoffice keeps as a `DateTime`: written at 00:00 UTC, read back as its UTC date. */
export const dateAsDateTime: ValueCodec = {
  kind: 'value',
  valueType: { kind: 'date' },
  crmofficeType: 'DateTime',
  sides: {
    CUSTOMERP: plainDate,
    CRMOFFICE: {
      decode: (raw) => {
        if (isEmpty(raw)) return null;
        const date = typeof raw === 'string' ? utcDateOf(raw) : null;
        if (date === null) throw malformed('an ISO date-time', raw);
        return date;
      },
      encode: (value) => (typeof value === 'string' ? `${value}T00:00:00.000Z` : null),
      annotation: ' (00:00 UTC of the date ↔ its date)',
    },
  },
};

const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A Crmoffice `DateTime` kept whole, for records outside every dataflow (a CRM-only meeting keeps its
 * time of day; only a dataflow with Customerp narrows it to a date).
 */
export const crmofficeDateTime: ValueCodec = {
  kind: 'value',
  valueType: { kind: 'string' },
  crmofficeType: 'DateTime',
  sides: {
    CUSTOMERP: plainString,
    // Inputs may give a date alone (the contract's "date-time or YYYY-MM-DD"): it is that day's midnight UTC.
    CRMOFFICE: {
      decode: plainString.decode,
      encode: (value) => (typeof value === 'string' && PLAIN_DATE.test(value) ? `${value}T00:00:00.000Z` : value),
    },
  },
};

/** A reference to a linked record: `targets` names the target's type in each system. */
export function linkTo(targets: Readonly<Record<SystemName, string>>): ReferenceCodec {
  return { kind: 'reference', valueType: { kind: 'link' }, crmofficeType: 'ID', targets };
}
