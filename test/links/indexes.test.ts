import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LINKS_COLLECTION, LinkStore, setupIndexes } from '../../src/links/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

/**
 * setupIndexes() on a store written before side keys were sparse: absent sides held a `none:<linkId>`
 * placeholder under non-sparse unique indexes. The placeholders go, the old indexes go, and the store
 * works as one written today, including when several processes start on it at once.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await testDatabase('link indexes');
});

afterAll(() => database.drop());

/** A half link as the previous version stored it. */
function oldHalfLink(_id: string, customerp: { type: 'Employee'; id: string }) {
  return {
    _id,
    entity: 'Contact',
    kind: 'EMPLOYEE',
    customerp,
    crmoffice: null,
    snapshot: null,
    keys: {},
    state: 'PENDING',
    conflicts: [],
    detached: false,
    deletedAt: null,
    lastSyncedAt: null,
    createdAt: new Date('2026-11-01T00:00:00Z'),
    updatedAt: new Date('2026-11-01T00:00:00Z'),
    version: 1,
    customerpKey: `Employee:${customerp.id}`,
    crmofficeKey: `none:${_id}`,
  };
}

describe('setupIndexes on a store with placeholder side keys', () => {
  it('unsets the placeholders, retires the old indexes, and is safe to run from several processes at once', async () => {
    const links = database.db.collection<{ _id: string }>(LINKS_COLLECTION);
    await links.createIndex({ customerpKey: 1 }, { name: 'customerp_unique', unique: true });
    await links.createIndex({ crmofficeKey: 1 }, { name: 'crmoffice_unique', unique: true });
    await links.insertMany([
      oldHalfLink('old-a', { type: 'Employee', id: 'emp-a' }),
      oldHalfLink('old-b', { type: 'Employee', id: 'emp-b' }),
    ]);

    await Promise.all([setupIndexes(database.db), setupIndexes(database.db), setupIndexes(database.db)]);

    const names = (await links.indexes()).map((index) => index.name);
    expect(names).not.toContain('customerp_unique');
    expect(names).not.toContain('crmoffice_unique');
    expect(names).toEqual(expect.arrayContaining(['customerp_key_unique', 'crmoffice_key_unique']));
    const stored = await links
      .find({}, { projection: { customerpKey: 1, crmofficeKey: 1 } })
      .sort({ _id: 1 })
      .toArray();
    expect(stored).toEqual([
      { _id: 'old-a', customerpKey: 'Employee:emp-a' },
      { _id: 'old-b', customerpKey: 'Employee:emp-b' },
    ]);

    // The migrated half links get their Crmoffice side like any other, and stay unique per record.
    const store = new LinkStore(database.db);
    const attached = await store.attachSide('old-a', 1, 'CRMOFFICE', { type: 'Contact', id: 'c-a' });
    expect(attached.crmoffice).toEqual({ type: 'Contact', id: 'c-a' });
    await expect(store.attachSide('old-b', 1, 'CRMOFFICE', { type: 'Contact', id: 'c-a' })).rejects.toThrow(
      'is already linked',
    );
    expect((await store.findByRef('CRMOFFICE', { type: 'Contact', id: 'c-a' }))?._id).toBe('old-a');
  });
});
