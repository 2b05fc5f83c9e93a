import { MongoServerError, type Db, type IndexDescription } from 'mongodb';
import { dropIndexIfPresent, type QueryShapeIndex } from '../mongo/index.js';
import { RECORD_CHANGE_INDEXES, RECORD_CHANGES_COLLECTION } from './record-changes.js';

/** The collection that holds one document per link. */
export const LINKS_COLLECTION = 'links';

/**
 * Every index of the links collection, named so re-running setupIndexes() is a no-op.
 * Lookups are by entity first because every list query (contacts, companies, activities) is.
 */
export const LINK_INDEXES: readonly IndexDescription[] = [
  // One link per Customerp record (refKeyOf). Sparse: a half link without this side has no key and
  // is left out, so any number of them coexist (MongoDB and the embedded engine alike).
  { key: { customerpKey: 1 }, name: 'customerp_key_unique', unique: true, sparse: true },
  // One link per Crmoffice record, same reasoning.
  { key: { crmofficeKey: 1 }, name: 'crmoffice_key_unique', unique: true, sparse: true },
  // Stable paging: every page is `entity = X, _id > after` in _id order.
  { key: { entity: 1, _id: 1 }, name: 'entity_id' },
  // contacts(filter: { email }) and matching by email before creating a Crmoffice contact.
  { key: { entity: 1, 'keys.email': 1 }, name: 'entity_email' },
  // nameContains (a case-insensitive regex cannot seek, but scanning this index beats scanning
  // the collection) and name matching.
  { key: { entity: 1, 'keys.name': 1 }, name: 'entity_name' },
  // companies(filter: { code }) and matching a Product's sku to a Company's code.
  { key: { entity: 1, 'keys.code': 1 }, name: 'entity_code' },
  // contacts(filter: { kind }).
  { key: { entity: 1, kind: 1 }, name: 'entity_kind' },
  // Company.contacts / Company.activities and the companyId filters.
  { key: { entity: 1, 'keys.companyId': 1 }, name: 'entity_company' },
  // Contact.activities (activities it owns) and activities(filter: { ownerId }).
  { key: { entity: 1, 'keys.ownerId': 1 }, name: 'entity_owner' },
  // syncState filters and the per-state counts of syncStatus.
  { key: { entity: 1, state: 1 }, name: 'entity_state' },
  // The mass-delete guard's window: links of an entity deleted since a time.
  { key: { entity: 1, deletedAt: 1 }, name: 'entity_deleted_at' },
  // Held deletes per feed (approve / discard, FeedStatus.heldDeletes). Sparse: few links ever have one.
  { key: { 'heldDelete.feed': 1 }, name: 'held_delete_feed', sparse: true },
  // Links holding conflicts (conflicts(), syncStatus.openConflicts). Sparse: a link with an empty list
  // has no `conflicts.id` and is left out, so the index holds only the few links with conflicts.
  { key: { 'conflicts.id': 1 }, name: 'conflict_ids', sparse: true },
];

/**
 * Every query shape the link store sends (queryShapeOf's notation: `=` equality or `$in`, `<>` range,
 * `?` other), most specific first, with the index that serves it. The test run records every shape
 * it sees (test/support/query-shapes.ts) and fails on one that no entry here covers or whose index
 * does not lead with a field the shape seeks on. docs/indexes.md renders this table.
 */
export const LINK_QUERY_SHAPES: readonly QueryShapeIndex[] = [
  {
    collection: LINKS_COLLECTION,
    pattern: '(_id= | customerpKey= | crmofficeKey=)',
    indexes: ['_id_', 'customerp_key_unique', 'crmoffice_key_unique'],
    use: "findByIdsOrSideRefs: a request's link loaders, by id and by either side in one query",
  },
  {
    collection: LINKS_COLLECTION,
    pattern: '_id=',
    indexes: ['_id_'],
    use: 'findById(s), every compare-and-set update and delete',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: '(customerpKey= | crmofficeKey=)',
    indexes: ['customerp_key_unique', 'crmoffice_key_unique'],
    use: 'findBySideRefs (both systems at once), the side-taken check of a pairing',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'customerpKey=',
    indexes: ['customerp_key_unique'],
    use: 'findByRef(s), CUSTOMERP',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'crmofficeKey=',
    indexes: ['crmoffice_key_unique'],
    use: 'findByRef(s), CRMOFFICE',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'customerpKey<>',
    indexes: ['customerp_key_unique'],
    use: 'start-up: retiring `none:` placeholder keys (an anchored regex)',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'crmofficeKey<>',
    indexes: ['crmoffice_key_unique'],
    use: 'start-up: retiring `none:` placeholder keys (an anchored regex)',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= keys.email=',
    indexes: ['entity_email'],
    use: 'contacts(filter: { email })',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= keys.code=',
    indexes: ['entity_code'],
    use: 'companies(filter: { code })',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= keys.companyId=',
    indexes: ['entity_company'],
    use: 'Company.contacts / Company.activities (findByKey), companyId filters',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= keys.ownerId=',
    indexes: ['entity_owner'],
    use: 'Contact.activities (findByKey), activities(filter: { ownerId })',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= kind=',
    indexes: ['entity_kind'],
    use: 'contacts(filter: { kind })',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= state=',
    indexes: ['entity_state'],
    use: 'syncState filters, per-state counts',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity= keys.name?',
    indexes: ['entity_name'],
    use: 'nameContains (a case-insensitive regex: the index is scanned, not the collection)',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'deletedAt<> entity=',
    indexes: ['entity_deleted_at'],
    use: 'the mass-delete guard: deletes of an entity within the window',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'heldDelete.feed=',
    indexes: ['held_delete_feed'],
    use: 'held deletes of a feed (approve, discard, FeedStatus.heldDeletes)',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'entity=',
    indexes: ['entity_id'],
    use: 'every page and count of one entity (`_id` range, sorted by `_id`), activities(filter: { status })',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'heldDelete.feed?',
    indexes: [],
    use: 'count of all held deletes (syncStatus)',
    scan: 'held deletes are few; the sparse held_delete_feed index would serve it on MongoDB, which the shape check cannot tell',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'conflicts.id=',
    indexes: ['conflict_ids'],
    use: 'the conflicts list and its count (links holding any conflict)',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: 'deletedAt=',
    indexes: [],
    use: 'count() over all entities (tests)',
    scan: 'the product always counts per entity (entity_id)',
  },
  {
    collection: LINKS_COLLECTION,
    pattern: '(all)',
    indexes: [],
    use: 'tests reading the whole collection',
    scan: 'the store sends no query without a filter',
  },
];

/** Side-key indexes of stores written before side keys were sparse (absent sides held `none:<linkId>`). */
const RETIRED_INDEXES = ['customerp_unique', 'crmoffice_unique'];

/**
 * Creates every index of the link store (and of the record changes its writes make) in one command
 * per collection; call once at start-up, before serving (idempotent).
 */
export async function setupIndexes(db: Db): Promise<void> {
  const links = db.collection(LINKS_COLLECTION);
  await repeatedOnServerError(() => retirePlaceholderKeys(db));
  await links.createIndexes([...LINK_INDEXES]);
  await db.collection(RECORD_CHANGES_COLLECTION).createIndexes([...RECORD_CHANGE_INDEXES]);
}

/** Tries of an idempotent start-up step that another process's index drop can make fail. */
const SETUP_ATTEMPTS = 3;

/**
 * Runs an idempotent start-up step again when the server fails it. The embedded engine fails a write
 * that races an index drop from another process starting at the same time ("Unknown error", one run
 * in about twelve of test/links/indexes.test.ts); repeating the step is harmless wherever it runs.
 */
async function repeatedOnServerError(step: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof MongoServerError) || attempt >= SETUP_ATTEMPTS) throw error;
    }
  }
}

/**
 * Moves a store from placeholder side keys (`none:<linkId>`, the old non-sparse indexes) to absent
 * ones: drops the old indexes, unsets the placeholders. A no-op on a store that never had them, and
 * safe to run from several processes at once (each step is idempotent).
 */
async function retirePlaceholderKeys(db: Db): Promise<void> {
  const exists = (await db.listCollections({ name: LINKS_COLLECTION }, { nameOnly: true }).toArray()).length > 0;
  if (!exists) return;
  const links = db.collection(LINKS_COLLECTION);
  for (const name of RETIRED_INDEXES) await dropIndexIfPresent(links, name);
  for (const field of ['customerpKey', 'crmofficeKey']) {
    await links.updateMany({ [field]: { $regex: '^none:' } }, { $unset: { [field]: '' } });
  }
}
