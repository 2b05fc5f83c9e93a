import type { Db, IndexDescription } from 'mongodb';

/** The collection that holds one document per link. */
export const LINKS_COLLECTION = 'links';

/**
 * Every index of the links collection, named so re-running setupIndexes() is a no-op.
 * Lookups are by entity first because every list query (contacts, companies, activities) is.
 */
export const LINK_INDEXES: readonly IndexDescription[] = [
  // One link per Customerp record. On a derived key (see sideKeyOf) so links missing this side don't collide.
  { key: { customerpKey: 1 }, name: 'customerp_unique', unique: true },
  // One link per Crmoffice record, same reasoning.
  { key: { crmofficeKey: 1 }, name: 'crmoffice_unique', unique: true },
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
];

/** Creates every index of the link store; call once at start-up, before serving (idempotent). */
export async function setupIndexes(db: Db): Promise<void> {
  const links = db.collection(LINKS_COLLECTION);
  // One at a time: FerretDB 1.24 drops the connection (a server panic) when a single createIndexes
  // names two or more indexes that all exist already, i.e. on every restart.
  for (const { key, ...options } of LINK_INDEXES) await links.createIndex(key, options);
}
