import type {
  ActivityFieldsFragment,
  ActivityStatus,
  ActivityType,
  CompanyFieldsFragment,
  CompanyStatus,
  CrmofficeContactFieldsFragment,
  ContactType,
} from '../generated/crmoffice-client.js';
import type {
  CustomerpContactFieldsFragment,
  EmployeeFieldsFragment,
  ProductFieldsFragment,
  ProjectFieldsFragment,
  ProjectStatus,
} from '../generated/customerp-client.js';

/**
 * The records of both systems as the gateway reads them: the codegen'd types of the fragments in
 * schema/operations/{customerp,crmoffice}/, so a field added to a fragment (or a schema change that
 * makes one non-null) reaches every reader. Named here once so that mappings, upstreams, sync and
 * writes import `CustomerpEmployee`, not a generated fragment name.
 */

export type { ActivityStatus, ActivityType, CompanyStatus, ContactType, ProjectStatus };

export type CustomerpEmployee = EmployeeFieldsFragment;
export type CustomerpProduct = ProductFieldsFragment;
export type CustomerpProject = ProjectFieldsFragment;
export type CustomerpContact = CustomerpContactFieldsFragment;

export type CustomerpRecord = CustomerpEmployee | CustomerpProduct | CustomerpProject | CustomerpContact;

export type CrmofficeContact = CrmofficeContactFieldsFragment;
export type CrmofficeAddress = CrmofficeContact['address'];
export type CrmofficeCompany = CompanyFieldsFragment;
export type CrmofficeActivity = ActivityFieldsFragment;

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
