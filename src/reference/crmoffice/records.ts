import type { StoredRecord } from '../core/index.js';
import type { Activity, Address, Company, Contact } from '../../generated/crmoffice-server.js';

/**
 * What Crmoffice stores per record: the fields of its GraphQL type, plus the store's id, revision
 * and modifiedAt. The etag is derived from the revision when a record is answered.
 */
export type ContactFields = Omit<Contact, '__typename' | 'id' | 'etag' | 'modifiedAt' | 'address'> & {
  address: AddressFields;
};
export type AddressFields = Omit<Address, '__typename'>;
export type CompanyFields = Omit<Company, '__typename' | 'id' | 'etag' | 'modifiedAt'>;
export type ActivityFields = Omit<Activity, '__typename' | 'id' | 'etag' | 'modifiedAt'>;

export type ContactRecord = StoredRecord & ContactFields;
export type CompanyRecord = StoredRecord & CompanyFields;
export type ActivityRecord = StoredRecord & ActivityFields;

export const emptyAddress: AddressFields = { street: null, city: null, postalCode: null, country: null };

/** The concurrency token of a record at `revision`, a weak HTTP entity tag: `W/"3"`. */
export function etagOf(revision: number): string {
  return `W/"${revision}"`;
}

/** A stored contact as the API answers it. */
export function toContact(record: ContactRecord): Contact {
  const { revision, address, ...fields } = record;
  return { ...fields, address: { ...address }, etag: etagOf(revision) };
}

/** A stored company as the API answers it. */
export function toCompany(record: CompanyRecord): Company {
  const { revision, ...fields } = record;
  return { ...fields, etag: etagOf(revision) };
}

/** A stored activity as the API answers it. */
export function toActivity(record: ActivityRecord): Activity {
  const { revision, ...fields } = record;
  return { ...fields, etag: etagOf(revision) };
}
