import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UpstreamRejectedError } from '../../src/errors.js';
import { LinkStore, setupIndexes } from '../../src/links/index.js';
import type { CrmofficeRecord, SystemInput } from '../../src/mappings/index.js';
import { syncReasonOf } from '../../src/reconcile/index.js';
import { SyncEngine } from '../../src/sync/index.js';
import {
  CrmofficeApi,
  CustomerpApi,
  type CrmofficeType,
  type CustomerpType,
  type FeedPage,
} from '../../src/upstreams/index.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { captureLogs } from '../support/captured-logs.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';
import { startSyncWorld } from '../support/world.js';

// Failures stay where they happen: a change a system refuses marks its own link, a feed that fails
// stops only itself. Both systems are real (HTTP); the refusal and the failure are injected in the
// clients, for one named record and one feed.

/** Crmoffice refusing to create the company named `name` (as a validation rule of its own would). */
class RefusesCompany extends CrmofficeApi {
  override async create(type: CrmofficeType, input: SystemInput): Promise<CrmofficeRecord> {
    if (type === 'Company' && input['name'] === 'Nimbus Connect 2')
      throw new UpstreamRejectedError('CRMOFFICE', 'name is reserved', 'BAD_USER_INPUT', 'name');
    return super.create(type, input);
  }
}

/** Customerp whose change feed of `failing` fails with an unexpected error. */
class FailingFeed extends CustomerpApi {
  override changes(type: CustomerpType, since: string | null, limit: number): Promise<FeedPage> {
    if (type === 'Employee') return Promise.reject(new Error('employee feed exploded'));
    return super.changes(type, since, limit);
  }
}

describe('failure isolation', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let links: LinkStore;

  beforeAll(async () => {
    systems = await startTestSystems();
    database = await testDatabase('failure_isolation');
    await setupIndexes(database.db);
    links = new LinkStore(database.db);
  });

  afterAll(async () => {
    await systems.close();
    await database.drop();
  });

  it('a create the other system refuses leaves one half link in ERROR with its message; the rest of the pass goes on', async () => {
    const engine = new SyncEngine({
      db: database.db,
      customerp: new FailingFeed(systems.customerp.client),
      crmoffice: new RefusesCompany(systems.crmoffice.client),
      writeOwnership: outboxWriteOwnership(database.db),
    });
    const summary = await engine.runOnce();
    const byFeed = new Map(summary.feeds.map((f) => [f.feed, f]));

    expect(byFeed.get('customerp:PRODUCT')).toMatchObject({ blocked: null, errors: 1 });
    const refused = await links.findByRef('CUSTOMERP', { type: 'Product', id: 'prd-2' });
    expect(refused).toMatchObject({ state: 'ERROR', crmoffice: null });
    expect(refused?.reason).toBe('CRMOFFICE rejected the request: name is reserved');
    expect(syncReasonOf(refused!)).toBe(refused?.reason);
    // Its neighbours in the same batch were created and linked.
    expect(await links.findByRef('CUSTOMERP', { type: 'Product', id: 'prd-4' })).toMatchObject({ state: 'IN_SYNC' });

    // The failing feed stopped alone, recorded on its cursor; the feeds after it ran.
    expect(byFeed.get('customerp:EMPLOYEE')?.blocked).toBe('employee feed exploded');
    expect((await engine.cursors.get('customerp:EMPLOYEE'))?.blockedReason).toBe('employee feed exploded');
    for (const feed of ['customerp:CONTACT', 'crmoffice:COMPANIES', 'crmoffice:CONTACTS', 'crmoffice:ACTIVITIES'])
      expect([feed, byFeed.get(feed)?.blocked, (byFeed.get(feed)?.changes ?? 0) > 0]).toEqual([feed, null, true]);
  });
});

describe('a quiet sync worker', () => {
  it('logs a pass that found changes at info, and a pass that found none at debug', async () => {
    const world = await startSyncWorld('quiet passes');
    const logs = captureLogs('debug');
    try {
      // The first pass links the demo data, the second reads its echoes, the third finds nothing.
      for (let pass = 0; pass < 3; pass += 1) await world.engine.runOnce();
      const passes = logs.entries().filter((e) => e.msg === 'sync pass done');
      expect(passes.map((p) => p.level)).toEqual([30, 30, 20]); // info, info, then debug
    } finally {
      logs.release();
      await world.close();
    }
  });
});
