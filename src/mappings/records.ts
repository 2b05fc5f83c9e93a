/**
 * The records of both systems as DESIGN.md lists them ("Reference system APIs"), and the input
 * objects their create/update mutations take. Kept in this one file so that they can be swapped for
 * the codegen'd client types (src/generated/*-client.ts) in one place.
 *
 * Every field but the identity and concurrency fields is typed nullable: the mapping engine reads
 * missing and empty values alike, so a record with a stricter type (`string`) still fits.
 */

export type ProjectStatus = 'PLANNED' | 'ACTIVE' | 'ON_HOLD' | 'COMPLETED' | 'CANCELLED';
export type ContactType = 'EMPLOYEE' | 'CUSTOMER' | 'OTHER';
export type CompanyStatus = 'ACTIVE' | 'INACTIVE';
export type ActivityType = 'PROJECT' | 'TASK' | 'MEETING' | 'CALL';
export type ActivityStatus = 'OPEN' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';

/** Customerp's concurrency token and modification time, on every record. */
export interface CustomerpRecordMeta {
  id: string;
  version: number;
  updatedAt: string;
}

export interface CustomerpEmployee extends CustomerpRecordMeta {
  employeeNumber?: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  jobTitle: string | null;
  department: string | null;
  active: boolean | null;
}

export interface CustomerpProduct extends CustomerpRecordMeta {
  sku: string | null;
  name: string | null;
  description: string | null;
  category: string | null;
  website: string | null;
  active: boolean | null;
}

export interface CustomerpProject extends CustomerpRecordMeta {
  projectNumber?: string | null;
  name: string | null;
  description: string | null;
  status: ProjectStatus | null;
  /** `Date`: YYYY-MM-DD. */
  startDate: string | null;
  endDate: string | null;
  /** An Employee's id. */
  managerId: string | null;
  /** A Product's id. */
  productId: string | null;
}

export interface CustomerpContact extends CustomerpRecordMeta {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
  customerName?: string | null;
  street: string | null;
  city: string | null;
  postalCode: string | null;
  country: string | null;
}

export type CustomerpRecord = CustomerpEmployee | CustomerpProduct | CustomerpProject | CustomerpContact;

/** Crmoffice's concurrency token and modification time, on every record. */
export interface CrmofficeRecordMeta {
  id: string;
  etag: string;
  modifiedAt: string;
}

export interface CrmofficeAddress {
  street: string | null;
  city: string | null;
  postalCode: string | null;
  country: string | null;
}

export interface CrmofficeContact extends CrmofficeRecordMeta {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  mobilePhone: string | null;
  title: string | null;
  department: string | null;
  contactType: ContactType | null;
  companyId?: string | null;
  address: CrmofficeAddress | null;
  active: boolean | null;
}

export interface CrmofficeCompany extends CrmofficeRecordMeta {
  name: string | null;
  description: string | null;
  industry: string | null;
  website: string | null;
  code: string | null;
  status: CompanyStatus | null;
}

export interface CrmofficeActivity extends CrmofficeRecordMeta {
  subject: string | null;
  description: string | null;
  type: ActivityType | null;
  status: ActivityStatus | null;
  /** `DateTime`: ISO 8601. */
  startAt: string | null;
  dueAt: string | null;
  /** A Contact's id. */
  ownerContactId: string | null;
  /** A Company's id. */
  companyId: string | null;
}

export type CrmofficeRecord = CrmofficeContact | CrmofficeCompany | CrmofficeActivity;

/** A record of either system, as the mapping engine reads it. */
export type SystemRecord = CustomerpRecord | CrmofficeRecord;

/** A scalar of a mutation input; Crmoffice nests `address` one level deep. */
export type InputScalar = string | boolean | null;
export type InputValue = InputScalar | { [field: string]: InputScalar };

/**
 * The `input` of a Customerp `createX`/`updateX` or the `data` of a Crmoffice one, keyed by that
 * system's field names. Callers cast it to the codegen'd input type of the mutation they send.
 */
export type SystemInput = { [field: string]: InputValue };
