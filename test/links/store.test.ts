import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DuplicateLinkError,
  LINK_INDEXES,
  LINKS_COLLECTION,
  LinkNotFoundError,
  LinkStore,
  StaleLinkVersionError,
  setupIndexes,
} from '../../src/links/index.js';
import { countCommands } from '../../src/mongo/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { digestOf, emailKeyOf } from '../../src/mappings/index.js';

let mongo: TestDatabase;
let store: LinkStore;

beforeAll(async () => {
  mongo = await testDatabase('links store');
  await setupIndexes(mongo.db);
  store = new LinkStore(mongo.db);
});

afterAll(async () => {
  await mongo.drop();
});

beforeEach(async () => {
  await mongo.db.collection(LINKS_COLLECTION).deleteMany({});
});

const anyDate = expect.any(Date) as unknown as Date;

/** Asserts `promise` rejects and hands back the error, to check its class and every field. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

describe('setupIndexes', () => {
  it('creates every declared index, and running it again changes nothing', async () => {
    await setupIndexes(mongo.db);
    const indexes = await mongo.db.collection(LINKS_COLLECTION).listIndexes().toArray();
    const described = indexes.map((index) => ({
      name: index['name'],
      key: index['key'],
      unique: index['unique'] === true,
    }));
    expect(described).toEqual(
      expect.arrayContaining([
        { name: '_id_', key: { _id: 1 }, unique: false },
        ...LINK_INDEXES.map((index) => ({ name: index.name, key: index.key, unique: index.unique === true })),
      ]),
    );
    expect(indexes).toHaveLength(LINK_INDEXES.length + 1);
  });
});

describe('LinkStore.create', () => {
  it('stores a link with a fresh UUID, version 1, defaults and creation timestamps', async () => {
    const link = await store.create({
      entity: 'Contact',
      kind: 'EMPLOYEE',
      customerp: { type: 'Employee', id: 'emp-1' },
    });
    expect(link).toEqual({
      _id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      entity: 'Contact',
      kind: 'EMPLOYEE',
      customerp: { type: 'Employee', id: 'emp-1' },
      crmoffice: null,
      snapshot: null,
      keys: {},
      state: 'PENDING',
      reason: null,
      conflicts: [],
      heldDelete: null,
      detached: false,
      deletedAt: null,
      lastSyncedAt: null,
      createdAt: anyDate,
      updatedAt: link.createdAt,
      version: 1,
    });
    expect(await store.findById(link._id)).toEqual(link);
  });

  it('stores the email key as the digest of the address lower-cased and trimmed, never the address', async () => {
    const link = await store.create({
      entity: 'Contact',
      crmoffice: { type: 'Contact', id: 'c-1' },
      keys: { email: ' Ada@Example.COM ' },
    });
    const keys = (await store.findById(link._id))?.keys;
    expect(keys).toEqual({ email: emailKeyOf('ada@example.com') });
    expect(keys?.['email']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await store.count({ entity: 'Contact', email: 'ADA@example.com' })).toBe(1);
  });

  it('rejects a second link for the same Customerp employee, naming the side and the holder', async () => {
    const first = await store.create({
      entity: 'Contact',
      customerp: { type: 'Employee', id: 'emp-1' },
      crmoffice: { type: 'Contact', id: 'c-1' },
    });
    const error = await rejectionOf(
      store.create({
        entity: 'Contact',
        customerp: { type: 'Employee', id: 'emp-1' },
        crmoffice: { type: 'Contact', id: 'c-2' },
      }),
    );
    expect(error).toBeInstanceOf(DuplicateLinkError);
    expect(error).toMatchObject({
      system: 'CUSTOMERP',
      ref: { type: 'Employee', id: 'emp-1' },
      existingLinkId: first._id,
    });
    expect(await store.count()).toBe(1);
  });

  it('rejects a second link for the same Crmoffice contact, naming the side and the holder', async () => {
    const first = await store.create({
      entity: 'Contact',
      customerp: { type: 'Employee', id: 'emp-1' },
      crmoffice: { type: 'Contact', id: 'c-1' },
    });
    const error = await rejectionOf(
      store.create({
        entity: 'Contact',
        customerp: { type: 'Contact', id: 'cc-9' },
        crmoffice: { type: 'Contact', id: 'c-1' },
      }),
    );
    expect(error).toBeInstanceOf(DuplicateLinkError);
    expect(error).toMatchObject({
      system: 'CRMOFFICE',
      ref: { type: 'Contact', id: 'c-1' },
      existingLinkId: first._id,
    });
    expect(await store.count()).toBe(1);
  });

  it('lets half links that miss the same side coexist', async () => {
    await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-1' } });
    await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-2' } });
    await store.create({ entity: 'Company', crmoffice: { type: 'Company', id: 'co-1' } });
    await store.create({ entity: 'Company', crmoffice: { type: 'Company', id: 'co-2' } });
    expect(await store.count({ entity: 'Company' })).toBe(4);
  });

  it('refuses a link without sides, a side of another entity and a kind on a non-Contact', async () => {
    await expect(store.create({ entity: 'Contact' })).rejects.toThrow('a Contact link needs at least one side');
    await expect(store.create({ entity: 'Company', customerp: { type: 'Project', id: 'pr-1' } })).rejects.toThrow(
      'a Company link cannot hold CUSTOMERP Project (expected Product)',
    );
    await expect(
      store.create({ entity: 'Activity', kind: 'EMPLOYEE', crmoffice: { type: 'Activity', id: 'a-1' } }),
    ).rejects.toThrow('only Contact links have a kind, not Activity');
    expect(await store.count()).toBe(0);
  });
});

describe('LinkStore.ensureLink', () => {
  it('leaves exactly one document after 50 concurrent calls for the same ref, and gives it to every caller', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.ensureLink(
          'Contact',
          'CUSTOMERP',
          { type: 'Employee', id: 'emp-race' },
          { kind: 'EMPLOYEE', keys: { name: `caller ${i}` } },
        ),
      ),
    );
    expect(await store.count()).toBe(1);
    const [stored] = await store.page({ entity: 'Contact', first: 10 }).then((page) => page.links);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    for (const result of results) expect(result.link).toEqual(stored);
  });

  it('returns the existing link untouched, ignoring init', async () => {
    const existing = await store.create({
      entity: 'Company',
      crmoffice: { type: 'Company', id: 'co-1' },
      keys: { name: 'Acme' },
    });
    const ensured = await store.ensureLink(
      'Company',
      'CRMOFFICE',
      { type: 'Company', id: 'co-1' },
      { keys: { name: 'Other' }, state: 'ERROR' },
    );
    expect(ensured).toEqual({ link: existing, created: false });
  });

  it('without the first read (lookFirst: false) still returns the existing link, and costs one insert (and one for its change) when there is none', async () => {
    const existing = await store.create({
      entity: 'Company',
      crmoffice: { type: 'Company', id: 'co-2' },
      keys: { name: 'Acme' },
    });
    const again = await store.ensureLink(
      'Company',
      'CRMOFFICE',
      { type: 'Company', id: 'co-2' },
      { keys: { name: 'Other' } },
      { lookFirst: false },
    );
    expect(again).toEqual({ link: existing, created: false });
    const commands = countCommands(mongo.client);
    const fresh = await store.ensureLink(
      'Company',
      'CRMOFFICE',
      { type: 'Company', id: 'co-3' },
      { keys: { name: 'New' } },
      { lookFirst: false },
    );
    expect(fresh.created).toBe(true);
    commands.stop();
    // The link, then its change for subscribers (src/links/record-changes.ts; within a sync page or a
    // mutation that second insert is shared by all of its writes).
    expect(commands.names()).toEqual(['insert', 'insert']);
  });

  it('creates a half link from init when the ref is not linked yet', async () => {
    const ensured = await store.ensureLink(
      'Activity',
      'CUSTOMERP',
      { type: 'Project', id: 'pr-1' },
      { keys: { name: 'Rollout' }, state: 'IN_SYNC' },
    );
    expect(ensured.created).toBe(true);
    expect(ensured.link).toMatchObject({
      entity: 'Activity',
      customerp: { type: 'Project', id: 'pr-1' },
      crmoffice: null,
      keys: { name: 'Rollout' },
      state: 'IN_SYNC',
      version: 1,
    });
    expect(await store.findByRef('CUSTOMERP', { type: 'Project', id: 'pr-1' })).toEqual(ensured.link);
  });

  it('rejects init whose other side already belongs to another link', async () => {
    const holder = await store.create({ entity: 'Contact', crmoffice: { type: 'Contact', id: 'c-1' } });
    const error = await rejectionOf(
      store.ensureLink(
        'Contact',
        'CUSTOMERP',
        { type: 'Contact', id: 'cc-1' },
        { crmoffice: { type: 'Contact', id: 'c-1' } },
      ),
    );
    expect(error).toBeInstanceOf(DuplicateLinkError);
    expect(error).toMatchObject({ system: 'CRMOFFICE', existingLinkId: holder._id });
    expect(await store.count()).toBe(1);
  });
});

describe('LinkStore.update', () => {
  it('applies the changes, bumps the version and updatedAt, and leaves everything else alone', async () => {
    const link = await store.create({
      entity: 'Contact',
      kind: 'CUSTOMER_CONTACT',
      customerp: { type: 'Contact', id: 'cc-1' },
      keys: { name: 'Ada' },
    });
    const syncedAt = new Date('2030-01-02T03:04:05.000Z');
    const updated = await store.update(link._id, 1, {
      snapshot: { firstName: 'Ada', active: true },
      state: 'IN_SYNC',
      lastSyncedAt: syncedAt,
      keys: { name: 'Ada Lovelace', email: 'ADA@x.org' },
    });
    expect(updated).toEqual({
      ...link,
      snapshot: { firstName: 'Ada', active: true },
      state: 'IN_SYNC',
      lastSyncedAt: syncedAt,
      keys: { name: 'Ada Lovelace', email: emailKeyOf('ada@x.org') },
      updatedAt: anyDate,
      version: 2,
    });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(link.updatedAt.getTime());
    expect(await store.findById(link._id)).toEqual(updated);
  });

  it('rejects a stale version and leaves the document as the winner wrote it', async () => {
    const link = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-1' } });
    const winner = await store.update(link._id, 1, { state: 'IN_SYNC' });
    const error = await rejectionOf(store.update(link._id, 1, { state: 'ERROR', keys: { name: 'lost' } }));
    expect(error).toBeInstanceOf(StaleLinkVersionError);
    expect(error).toMatchObject({ linkId: link._id, expectedVersion: 1, actualVersion: 2 });
    expect(await store.findById(link._id)).toEqual(winner);
  });

  it('stores conflicts with their dates', async () => {
    const link = await store.create({ entity: 'Contact', customerp: { type: 'Employee', id: 'emp-1' } });
    const conflict = {
      id: 'k-1',
      field: 'phone',
      customerpValue: '+1 555',
      crmofficeValue: null,
      kept: null,
      detectedAt: new Date('2030-01-01T00:00:00.000Z'),
      resolvedAt: null,
    };
    await store.update(link._id, 1, { state: 'CONFLICT', conflicts: [conflict] });
    // A phone number is personal: the conflict keeps its digest (the API shows the systems' live values).
    expect(await store.findById(link._id)).toMatchObject({
      state: 'CONFLICT',
      conflicts: [{ ...conflict, customerpValue: digestOf('phone', '+1 555') }],
      version: 2,
    });
  });

  it('says when the link does not exist', async () => {
    const error = await rejectionOf(store.update('00000000-0000-4000-8000-000000000000', 1, { state: 'IN_SYNC' }));
    expect(error).toBeInstanceOf(LinkNotFoundError);
    expect(error).toMatchObject({ linkId: '00000000-0000-4000-8000-000000000000' });
  });
});

describe('LinkStore.attachSide and detachSide', () => {
  it('links the missing side, findable by it from then on', async () => {
    const link = await store.create({
      entity: 'Contact',
      kind: 'EMPLOYEE',
      customerp: { type: 'Employee', id: 'emp-1' },
    });
    const attached = await store.attachSide(link._id, 1, 'CRMOFFICE', { type: 'Contact', id: 'c-1' });
    expect(attached).toEqual({ ...link, crmoffice: { type: 'Contact', id: 'c-1' }, updatedAt: anyDate, version: 2 });
    expect(await store.findByRef('CRMOFFICE', { type: 'Contact', id: 'c-1' })).toEqual(attached);
  });

  it('rejects a record that another link holds, and leaves both links unchanged', async () => {
    const holder = await store.create({ entity: 'Contact', crmoffice: { type: 'Contact', id: 'c-1' } });
    const link = await store.create({ entity: 'Contact', customerp: { type: 'Employee', id: 'emp-1' } });
    const error = await rejectionOf(store.attachSide(link._id, 1, 'CRMOFFICE', { type: 'Contact', id: 'c-1' }));
    expect(error).toBeInstanceOf(DuplicateLinkError);
    expect(error).toMatchObject({
      system: 'CRMOFFICE',
      ref: { type: 'Contact', id: 'c-1' },
      existingLinkId: holder._id,
    });
    expect(await store.findByIds([holder._id, link._id])).toEqual([holder, link]);
  });

  it('checks the version and the entity', async () => {
    const link = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-1' } });
    await expect(store.attachSide(link._id, 7, 'CRMOFFICE', { type: 'Company', id: 'co-1' })).rejects.toThrow(
      StaleLinkVersionError,
    );
    await expect(store.attachSide(link._id, 1, 'CRMOFFICE', { type: 'Activity', id: 'a-1' })).rejects.toThrow(
      'a Company link cannot hold CRMOFFICE Activity',
    );
    expect(await store.findById(link._id)).toEqual(link);
  });

  it('detaches a side, which frees its record for another link', async () => {
    const link = await store.create({
      entity: 'Company',
      customerp: { type: 'Product', id: 'p-1' },
      crmoffice: { type: 'Company', id: 'co-1' },
    });
    const detached = await store.detachSide(link._id, 1, 'CRMOFFICE');
    expect(detached).toEqual({ ...link, crmoffice: null, updatedAt: anyDate, version: 2 });
    expect(await store.findByRef('CRMOFFICE', { type: 'Company', id: 'co-1' })).toBeNull();
    const again = await store.ensureLink('Company', 'CRMOFFICE', { type: 'Company', id: 'co-1' });
    expect(again.created).toBe(true);
  });

  it('refuses to detach the only side', async () => {
    const link = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-1' } });
    await expect(store.detachSide(link._id, 1, 'CUSTOMERP')).rejects.toThrow(
      `link ${link._id} would be left without any side`,
    );
    expect(await store.findById(link._id)).toEqual(link);
  });
});

describe('LinkStore batch lookups', () => {
  it('findByIds answers in the order asked, null for unknown ids, in ONE command', async () => {
    const a = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-a' } });
    const b = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-b' } });
    const counter = countCommands(mongo.client);
    const found = await store.findByIds([b._id, 'unknown', a._id, b._id]);
    counter.stop();
    expect(found).toEqual([b, null, a, b]);
    expect(counter.names()).toEqual(['find']);
  });

  it('findByRefs answers in the order asked, null for unlinked records, in ONE command per call', async () => {
    const emp = await store.create({
      entity: 'Contact',
      customerp: { type: 'Employee', id: 'e-1' },
      crmoffice: { type: 'Contact', id: 'c-1' },
    });
    const cust = await store.create({ entity: 'Contact', customerp: { type: 'Contact', id: 'c-1' } });
    const counter = countCommands(mongo.client);
    const customerp = await store.findByRefs('CUSTOMERP', [
      { type: 'Contact', id: 'c-1' },
      { type: 'Employee', id: 'e-404' },
      { type: 'Employee', id: 'e-1' },
    ]);
    const crmoffice = await store.findByRefs('CRMOFFICE', [
      { type: 'Contact', id: 'c-404' },
      { type: 'Contact', id: 'c-1' },
    ]);
    counter.stop();
    // Customerp Contact c-1 and Crmoffice Contact c-1 are different records.
    expect(customerp).toEqual([cust, null, emp]);
    expect(crmoffice).toEqual([null, emp]);
    expect(counter.names()).toEqual(['find', 'find']);
  });

  it('sends nothing for an empty batch', async () => {
    const counter = countCommands(mongo.client);
    expect(await store.findByIds([])).toEqual([]);
    expect(await store.findByRefs('CRMOFFICE', [])).toEqual([]);
    counter.stop();
    expect(counter.count()).toBe(0);
  });
});
