import type { Contact, Employee, Entity, Product, Project } from '../../generated/customerp-server.js';
import type { StoredRecord } from '../core/index.js';

/**
 * Stored records: the GraphQL type's own fields plus the store's bookkeeping. `version` and
 * `updatedAt` mirror `revision` and `modifiedAt`, so a record is served as it is stored.
 */
export type EmployeeRecord = Omit<Employee, '__typename'> & StoredRecord;
export type ProductRecord = Omit<Product, '__typename'> & StoredRecord;
export type ProjectRecord = Omit<Project, '__typename'> & StoredRecord;
export type ContactRecord = Omit<Contact, '__typename'> & StoredRecord;

export type CustomerpRecord = EmployeeRecord | ProductRecord | ProjectRecord | ContactRecord;

/** What a client may write: a record without its id and bookkeeping. */
export type FieldsOf<R extends CustomerpRecord> = Omit<R, 'id' | 'version' | 'updatedAt' | 'revision' | 'modifiedAt'>;

/** Seed data: the writable fields but the assigned numbers. */
export type SeedFieldsOf<R extends CustomerpRecord> = Omit<FieldsOf<R>, 'employeeNumber' | 'projectNumber'>;

/** Prefix of each entity's ids: `emp-1`, `prd-1`, `prj-1`, `con-1`. */
export const ID_PREFIX: Readonly<Record<Entity, string>> = {
  EMPLOYEE: 'emp',
  PRODUCT: 'prd',
  PROJECT: 'prj',
  CONTACT: 'con',
};

/** The id a seeded record gets: the `index`-th record of its kind in the demo world has `<prefix>-<index + 1>`. */
export function seededCustomerpId(entity: Entity, index: number): string {
  return `${ID_PREFIX[entity]}-${index + 1}`;
}
