import { BadUserInputError, NotFoundError, PreconditionFailedError } from '../../errors.js';
import type { RecordStore, StoredRecord } from '../core/index.js';
import type {
  ActivityInput,
  ActivityUpdateInput,
  AddressInput,
  ChangeFeed,
  Collection,
  CompanyInput,
  CompanyUpdateInput,
  ContactInput,
  ContactUpdateInput,
} from '../../generated/crmoffice-server.js';
import { normalizeDateTime } from './date-time.js';
import { IndexedStore, type IndexFilter } from './indexed-store.js';
import {
  emptyAddress,
  etagOf,
  type ActivityFields,
  type ActivityRecord,
  type AddressFields,
  type CompanyFields,
  type CompanyRecord,
  type ContactFields,
  type ContactRecord,
} from './records.js';
import { activityRules, assertValidStrings, companyRules, contactRules, mergeInput } from './validation.js';

/** Largest `first`, `limit` and list-filter length a request may ask for. */
export const MAX_PAGE_SIZE = 1000;
export const MAX_FILTER_VALUES = 1000;
const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_FEED_LIMIT = 100;

type ContactIndex = 'email' | 'companyId';
type CompanyIndex = 'code';
type ActivityIndex = 'ownerContactId' | 'companyId' | 'subject';

/** A list answer before records are shaped for the API. */
export interface ListResult<T> {
  nodes: (T | null)[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface ListArgs {
  ids?: readonly string[] | null;
  first?: number | null;
  after?: string | null;
}

/** A change feed page as the API answers it. */
export type FeedAnswer = Omit<ChangeFeed, '__typename'>;

const CONTACT_REQUIRED = ['lastName', 'email', 'contactType', 'active'];
const COMPANY_REQUIRED = ['name', 'code', 'status'];
const ACTIVITY_REQUIRED = ['subject', 'type', 'status'];

/**
 * Crmoffice's data and every rule it enforces: three stores with secondary indexes, validation
 * before any change, and `ifMatch` checks against the etag. Resolvers only translate to and from it.
 */
export class CrmofficeDatabase {
  readonly contacts = new IndexedStore<ContactRecord, ContactIndex>('c', {
    // E-mails match case-insensitively, so the index holds them lower-cased.
    email: { key: (r) => r.email.toLowerCase(), normalize: (v) => v.toLowerCase() },
    companyId: { key: (r) => r.companyId },
  });
  readonly companies = new IndexedStore<CompanyRecord, CompanyIndex>('co', {
    code: { key: (r) => r.code },
  });
  readonly activities = new IndexedStore<ActivityRecord, ActivityIndex>('a', {
    ownerContactId: { key: (r) => r.ownerContactId },
    companyId: { key: (r) => r.companyId },
    subject: { key: (r) => r.subject },
  });

  // ----- reads

  listContacts(
    args: ListArgs & { emails?: readonly string[] | null; companyIds?: readonly string[] | null },
  ): ListResult<ContactRecord> {
    return list(
      this.contacts,
      args,
      filtersOf<ContactIndex>({ email: ['emails', args.emails], companyId: ['companyIds', args.companyIds] }),
    );
  }

  listCompanies(args: ListArgs & { codes?: readonly string[] | null }): ListResult<CompanyRecord> {
    return list(this.companies, args, filtersOf<CompanyIndex>({ code: ['codes', args.codes] }));
  }

  listActivities(
    args: ListArgs & {
      ownerContactIds?: readonly string[] | null;
      companyIds?: readonly string[] | null;
      subjects?: readonly string[] | null;
    },
  ): ListResult<ActivityRecord> {
    return list(
      this.activities,
      args,
      filtersOf<ActivityIndex>({
        ownerContactId: ['ownerContactIds', args.ownerContactIds],
        companyId: ['companyIds', args.companyIds],
        subject: ['subjects', args.subjects],
      }),
    );
  }

  /** The change feed of one collection after cursor `since` (one this feed gave out, or null for its beginning). */
  changes(collection: Collection, since: string | null | undefined, limit: number | null | undefined): FeedAnswer {
    const size = limit ?? DEFAULT_FEED_LIMIT;
    if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`limit must be from 0 to ${MAX_PAGE_SIZE}`, 'limit');
    }
    const store = this.storeOf(collection);
    // A cursor beyond the end comes from another run of this server (a restart or /admin/reset):
    // reading on from it would silently skip changes, so it is refused.
    if (since != null && (!/^\d+$/.test(since) || Number(since) > store.changeCount)) {
      throw new BadUserInputError(`since ${JSON.stringify(since)} is not a cursor of this feed`, 'since');
    }
    const feed = store.changes(since, size);
    return {
      items: feed.items.map((entry) => ({ id: entry.id, op: entry.op, version: entry.revision, at: entry.at })),
      cursor: feed.cursor,
      hasMore: feed.hasMore,
    };
  }

  // ----- contacts

  createContact(input: ContactInput): ContactRecord {
    const { address, ...rest } = input;
    const base: ContactFields = {
      firstName: null,
      lastName: '',
      email: '',
      phone: null,
      mobilePhone: null,
      title: null,
      department: null,
      contactType: 'OTHER',
      companyId: null,
      address: emptyAddress,
      active: true,
    };
    const fields = { ...mergeInput(base, rest, CONTACT_REQUIRED), address: mergeAddress(emptyAddress, address) };
    this.assertValidContact(fields, input);
    return this.contacts.insert(withMeta(fields));
  }

  updateContact(id: string, patch: ContactUpdateInput, ifMatch: string | null | undefined): ContactRecord {
    const current = this.existing(this.contacts, id, 'contact');
    assertIfMatch(current, ifMatch, 'contact');
    const { address, ...rest } = patch;
    const fields = {
      ...mergeInput(contactFieldsOf(current), rest, CONTACT_REQUIRED),
      address: mergeAddress(current.address, address),
    };
    this.assertValidContact(fields, patch);
    return this.contacts.update(id, (_, meta) => Object.assign(meta, fields));
  }

  /** Activities owned by the contact keep their `ownerContactId`, as with companies. */
  deleteContact(id: string, ifMatch: string | null | undefined): boolean {
    return deleteRecord(this.contacts, id, ifMatch, 'contact');
  }

  // ----- companies

  createCompany(input: CompanyInput): CompanyRecord {
    const base: CompanyFields = {
      name: '',
      description: null,
      industry: null,
      website: null,
      code: '',
      status: 'ACTIVE',
    };
    const fields = mergeInput(base, input, COMPANY_REQUIRED);
    this.assertValidCompany(fields, input, null);
    return this.companies.insert(withMeta(fields));
  }

  updateCompany(id: string, patch: CompanyUpdateInput, ifMatch: string | null | undefined): CompanyRecord {
    const current = this.existing(this.companies, id, 'company');
    assertIfMatch(current, ifMatch, 'company');
    const fields = mergeInput(companyFieldsOf(current), patch, COMPANY_REQUIRED);
    this.assertValidCompany(fields, patch, id);
    return this.companies.update(id, (_, meta) => Object.assign(meta, fields));
  }

  /** References to the company from contacts and activities are left dangling, as a CRM would. */
  deleteCompany(id: string, ifMatch: string | null | undefined): boolean {
    return deleteRecord(this.companies, id, ifMatch, 'company');
  }

  // ----- activities

  createActivity(input: ActivityInput): ActivityRecord {
    const base: ActivityFields = {
      subject: '',
      description: null,
      type: 'TASK',
      status: 'OPEN',
      startAt: null,
      dueAt: null,
      ownerContactId: null,
      companyId: null,
    };
    const fields = mergeInput(base, normalizeInstants(input), ACTIVITY_REQUIRED);
    this.assertValidActivity(fields, input);
    return this.activities.insert(withMeta(fields));
  }

  updateActivity(id: string, patch: ActivityUpdateInput, ifMatch: string | null | undefined): ActivityRecord {
    const current = this.existing(this.activities, id, 'activity');
    assertIfMatch(current, ifMatch, 'activity');
    const fields = mergeInput(activityFieldsOf(current), normalizeInstants(patch), ACTIVITY_REQUIRED);
    this.assertValidActivity(fields, patch);
    return this.activities.update(id, (_, meta) => Object.assign(meta, fields));
  }

  deleteActivity(id: string, ifMatch: string | null | undefined): boolean {
    return deleteRecord(this.activities, id, ifMatch, 'activity');
  }

  // ----- rules that need the stores

  /** References are checked only when the write sets them, so a dangling one does not block other edits. */
  private assertValidContact(fields: ContactFields, given: { companyId?: string | null }): void {
    assertValidStrings(fields, contactRules);
    if (given.companyId != null) this.assertCompanyExists(given.companyId, 'companyId');
  }

  private assertValidCompany(fields: CompanyFields, given: { code?: string | null }, selfId: string | null): void {
    assertValidStrings(fields, companyRules);
    if (given.code != null) {
      const holder = [...this.companies.idsWhere('code', [fields.code])].find((id) => id !== selfId);
      if (holder) throw new BadUserInputError(`code ${fields.code} is already used by company ${holder}`, 'code');
    }
  }

  private assertValidActivity(
    fields: ActivityFields,
    given: {
      ownerContactId?: string | null;
      companyId?: string | null;
      startAt?: string | null;
      dueAt?: string | null;
    },
  ): void {
    assertValidStrings(fields, activityRules);
    const timesGiven = given.startAt !== undefined || given.dueAt !== undefined;
    if (
      timesGiven &&
      fields.startAt !== null &&
      fields.dueAt !== null &&
      Date.parse(fields.dueAt) < Date.parse(fields.startAt)
    ) {
      throw new BadUserInputError('dueAt must not be before startAt', 'dueAt');
    }
    if (given.ownerContactId != null && !this.contacts.get(given.ownerContactId)) {
      throw new BadUserInputError(`ownerContactId ${given.ownerContactId} is not a contact`, 'ownerContactId');
    }
    if (given.companyId != null) this.assertCompanyExists(given.companyId, 'companyId');
  }

  private assertCompanyExists(id: string, field: string): void {
    if (!this.companies.get(id)) throw new BadUserInputError(`${field} ${id} is not a company`, field);
  }

  private existing<T extends StoredRecord>(store: Pick<IndexedStore<T, string>, 'get'>, id: string, kind: string): T {
    const record = store.get(id);
    if (!record) throw new NotFoundError(`no ${kind} ${id}`);
    return record;
  }

  /** The change log of one collection (its feed; webhooks announce its new entries). */
  storeOf(collection: Collection): Pick<RecordStore<StoredRecord>, 'changes' | 'changeCount'> {
    switch (collection) {
      case 'CONTACTS':
        return this.contacts.records;
      case 'COMPANIES':
        return this.companies.records;
      case 'ACTIVITIES':
        return this.activities.records;
      default:
        throw new Error(`unknown collection ${String(collection satisfies never)}`);
    }
  }
}

/** Ids mode (one entry per id, filters as a further condition) or a filtered, paged list. */
function list<T extends StoredRecord, K extends string>(
  store: IndexedStore<T, K>,
  args: ListArgs,
  filters: IndexFilter<K>[],
): ListResult<T> {
  if (args.ids != null) {
    assertFilterLength('ids', args.ids);
    return { nodes: store.getMany(args.ids, filters), pageInfo: { hasNextPage: false, endCursor: null } };
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be from 0 to ${MAX_PAGE_SIZE}`, 'first');
  }
  if (args.after != null && !/^\d+$/.test(args.after)) {
    throw new BadUserInputError(`after ${JSON.stringify(args.after)} is not a cursor of this list`, 'after');
  }
  const page = store.find(filters, first, args.after);
  return { nodes: page.nodes, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
}

/** The list filters that were given, each checked for length; `given` maps an index to its argument's name and values. */
function filtersOf<K extends string>(
  given: Record<K, [argument: string, values: readonly string[] | null | undefined]>,
): IndexFilter<K>[] {
  const filters: IndexFilter<K>[] = [];
  for (const [index, [argument, values]] of Object.entries(given) as Array<
    [K, [string, readonly string[] | null | undefined]]
  >) {
    assertFilterLength(argument, values);
    if (values != null) filters.push({ index, values });
  }
  return filters;
}

function assertFilterLength(argument: string, values: readonly string[] | null | undefined): void {
  if (values != null && values.length > MAX_FILTER_VALUES) {
    throw new BadUserInputError(`${argument} takes at most ${MAX_FILTER_VALUES} entries`, argument);
  }
}

function assertIfMatch(record: StoredRecord, ifMatch: string | null | undefined, kind: string): void {
  const etag = etagOf(record.revision);
  if (ifMatch != null && ifMatch !== etag) {
    throw new PreconditionFailedError(`${kind} ${record.id} has etag ${etag}, not ${ifMatch}`);
  }
}

function deleteRecord<T extends StoredRecord>(
  store: Pick<IndexedStore<T, string>, 'get' | 'delete'>,
  id: string,
  ifMatch: string | null | undefined,
  kind: string,
): boolean {
  const current = store.get(id);
  if (!current) return false;
  assertIfMatch(current, ifMatch, kind);
  return store.delete(id);
}

/**
 * Builds a stored record from the store's fresh `meta` and the fields. `Object.assign` rather than a
 * spread: it halves the time to seed 100,000 records.
 */
function withMeta<F extends object>(fields: F): (meta: StoredRecord) => StoredRecord & F {
  return (meta) => Object.assign(meta, fields);
}

/** The address after a write: null clears it, given fields replace theirs, omitted ones stay. */
function mergeAddress(current: AddressFields, input: AddressInput | null | undefined): AddressFields {
  if (input === undefined) return current;
  if (input === null) return emptyAddress;
  return mergeInput(current, input, []);
}

/** Given instants in their canonical form; BAD_USER_INPUT naming the field for one that is not. */
function normalizeInstants<I extends { startAt?: string | null; dueAt?: string | null }>(input: I): I {
  const out = { ...input };
  if (typeof input.startAt === 'string') out.startAt = normalizeDateTime(input.startAt, 'startAt');
  if (typeof input.dueAt === 'string') out.dueAt = normalizeDateTime(input.dueAt, 'dueAt');
  return out;
}

function contactFieldsOf(r: ContactRecord): ContactFields {
  const { id: _id, revision: _revision, modifiedAt: _modifiedAt, ...fields } = r;
  return fields;
}

function companyFieldsOf(r: CompanyRecord): CompanyFields {
  const { id: _id, revision: _revision, modifiedAt: _modifiedAt, ...fields } = r;
  return fields;
}

function activityFieldsOf(r: ActivityRecord): ActivityFields {
  const { id: _id, revision: _revision, modifiedAt: _modifiedAt, ...fields } = r;
  return fields;
}
