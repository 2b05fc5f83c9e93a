import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  asOneChange,
  LINKS_COLLECTION,
  LinkStore,
  RECORD_CHANGES_COLLECTION,
  RecordChangeLog,
  setupIndexes,
  type RecordedChange,
} from '../../src/links/index.js';
import { countCommands } from '../../src/mongo/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// The change log subscriptions read (issue #15, part 2): every link write is reported, only what the
// unified record shows becomes a change, and the writes of one unit of work become one change per record.

let mongo: TestDatabase;
let store: LinkStore;
let log: RecordChangeLog;

beforeAll(async () => {
  mongo = await testDatabase('record changes');
  await setupIndexes(mongo.db);
  store = new LinkStore(mongo.db);
  log = new RecordChangeLog(mongo.db);
});

afterAll(async () => {
  await mongo.drop();
});

beforeEach(async () => {
  await mongo.db.collection(LINKS_COLLECTION).deleteMany({});
  await mongo.db.collection(RECORD_CHANGES_COLLECTION).deleteMany({ at: { $gte: new Date(0) } });
});

/** Every change recorded so far, oldest first, as a test compares them. */
async function recorded(): Promise<Array<Pick<RecordedChange, 'linkId' | 'entity' | 'kind' | 'change' | 'fields'>>> {
  const changes = await log.recordedAfter(new Date(0));
  return changes.map(({ linkId, entity, kind, change, fields }) => ({ linkId, entity, kind, change, fields }));
}

describe('record changes', () => {
  it('records what a reader sees change: created, a snapshot field, deleted; not sync bookkeeping', async () => {
    const link = await store.create({
      entity: 'Contact',
      customerp: { type: 'Employee', id: 'emp-ada' },
      snapshot: { firstName: 'Ada', email: 'ada@example.com' },
    });
    const titled = await store.update(link._id, link.version, {
      snapshot: { firstName: 'Ada', email: 'ada@example.com', title: 'CTO' },
    });
    const bookkept = await store.update(titled._id, titled.version, {
      state: 'PENDING',
      reason: 'waiting',
      lastSyncedAt: new Date(),
    });
    await store.remove(bookkept._id, bookkept.version);
    const common = { linkId: link._id, entity: 'Contact', kind: 'EMPLOYEE' };
    expect(await recorded()).toEqual([
      { ...common, change: 'CREATED', fields: ['customerp', 'email', 'firstName'] },
      { ...common, change: 'UPDATED', fields: ['title'] },
      { ...common, change: 'DELETED', fields: [] },
    ]);
  });

  it('folds the writes of one unit into one change per record, recorded in one insert', async () => {
    const commands = countCommands(mongo.client);
    const link = await asOneChange(async () => {
      const created = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-acme' } });
      const paired = await store.attachSide(created._id, created.version, 'CRMOFFICE', {
        type: 'Company',
        id: 'co-acme',
      });
      return store.update(paired._id, paired.version, { snapshot: { name: 'Acme' } });
    });
    commands.stop();
    expect(await recorded()).toEqual([
      {
        linkId: link._id,
        entity: 'Company',
        kind: null,
        change: 'CREATED',
        fields: ['crmoffice', 'customerp', 'name'],
      },
    ]);
    // The link's insert and two updates, then one insert of the change.
    expect(commands.names()).toEqual(['insert', 'findAndModify', 'findAndModify', 'insert']);
  });

  it('keeps 10 units running at once apart: each records its own record once', async () => {
    const links = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        asOneChange(async () => {
          const created = await store.create({ entity: 'Activity', customerp: { type: 'Project', id: `pr-${i}` } });
          return store.update(created._id, created.version, { snapshot: { subject: `Rollout ${i}` } });
        }),
      ),
    );
    const changes = await recorded();
    expect(changes.map((change) => change.linkId).sort()).toEqual(links.map((link) => link._id).sort());
    expect(changes.every((change) => change.change === 'CREATED' && change.fields.includes('subject'))).toBe(true);
  });

  it('forgets the changes recorded before a time and keeps the later ones', async () => {
    const early = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-early' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cut = new Date();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = await store.create({ entity: 'Company', customerp: { type: 'Product', id: 'p-late' } });
    expect((await recorded()).map((change) => change.linkId)).toEqual([early._id, late._id]);
    await log.forgetBefore(cut);
    expect((await recorded()).map((change) => change.linkId)).toEqual([late._id]);
  });
});
