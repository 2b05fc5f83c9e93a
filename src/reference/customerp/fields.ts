import type {
  ContactRecord,
  CustomerpRecord,
  EmployeeRecord,
  FieldsOf,
  ProductRecord,
  ProjectRecord,
} from './records.js';

/**
 * How one field of a record is written: the rules validation applies to create and update inputs.
 * `required` fields are never null on a record; inputs may omit a field that has a `default` or is
 * `numbered` (assigned on create).
 */
export type FieldRule =
  | { type: 'string'; required: boolean; maxLength: number; format?: 'email' | 'url'; numbered?: string }
  | { type: 'boolean'; default: boolean }
  | { type: 'enum'; default: string }
  | { type: 'date'; required: boolean }
  /** The id of a record of another entity, or null; the database checks that it exists. */
  | { type: 'reference'; target: 'EMPLOYEE' | 'PRODUCT' };

/** Every writable field of a record type, in the order validation checks them. */
export type FieldTable<R extends CustomerpRecord> = { readonly [K in keyof FieldsOf<R>]-?: FieldRule };

const MAX_TEXT = 200;
const MAX_DESCRIPTION = 2000;

const requiredText = { type: 'string', required: true, maxLength: MAX_TEXT } as const;
const optionalText = { type: 'string', required: false, maxLength: MAX_TEXT } as const;
const description = { type: 'string', required: false, maxLength: MAX_DESCRIPTION } as const;
const email = { type: 'string', required: true, maxLength: MAX_TEXT, format: 'email' } as const;
const active = { type: 'boolean', default: true } as const;

export const employeeFields: FieldTable<EmployeeRecord> = {
  employeeNumber: { type: 'string', required: true, maxLength: MAX_TEXT, numbered: 'E-' },
  firstName: requiredText,
  lastName: requiredText,
  email,
  phone: optionalText,
  mobile: optionalText,
  jobTitle: optionalText,
  department: optionalText,
  active,
};

export const productFields: FieldTable<ProductRecord> = {
  sku: requiredText,
  name: requiredText,
  description,
  category: optionalText,
  website: { type: 'string', required: false, maxLength: MAX_TEXT, format: 'url' },
  active,
};

export const projectFields: FieldTable<ProjectRecord> = {
  projectNumber: { type: 'string', required: true, maxLength: MAX_TEXT, numbered: 'P-' },
  name: requiredText,
  description,
  status: { type: 'enum', default: 'PLANNED' },
  startDate: { type: 'date', required: true },
  endDate: { type: 'date', required: false },
  managerId: { type: 'reference', target: 'EMPLOYEE' },
  productId: { type: 'reference', target: 'PRODUCT' },
};

export const contactFields: FieldTable<ContactRecord> = {
  firstName: requiredText,
  lastName: requiredText,
  email,
  phone: optionalText,
  jobTitle: optionalText,
  customerName: optionalText,
  street: optionalText,
  city: optionalText,
  postalCode: optionalText,
  country: optionalText,
};
