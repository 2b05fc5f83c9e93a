import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import { SyncEngine, SyncWorker, type SyncSummary } from '../../src/sync/index.js';
import { CustomerpApi, type CustomerpType, type FeedPage } from '../../src/upstreams/index.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';
import { waitUntil } from '../support/sync-process.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

// The outbox runs on a loop of its own, as npm start and npm run sync compose it (issue #13): while
// every sync pass has its feeds fail, a write left PENDING by an outage is still applied.

/** Customerp whose change feeds all fail: every feed of every pass is blocked. */
class BrokenFeeds extends CustomerpApi {
  override changes(_type: CustomerpType, _since: string | null, _limit: number): Promise<FeedPage> {
    return Promise.reject(new Error('change feed broken'));
  }
}

describe('the outbox beside failing sync passes', () => {
  let world: WriteWorld;

  beforeAll(async () => {
    world = await startWriteWorld('outbox independent', { outbox: { intervalMs: 50 } });
  });

  afterAll(() => world.close());

  it('applies a PENDING write while every sync pass fails its Customerp feeds', async () => {
    const [pair] = (await world.pairs('Contact', 'EMPLOYEE')) as [Link];
    await world.world.systems.faults('crmoffice', { outage: true });
    const pending = await world.writes.updateContact(encodeUnifiedId('Contact', pair._id), { title: 'Independent' });
    await world.world.systems.faults('crmoffice', {});
    expect(pending.writes.map((w) => `${w.system} ${w.state}`)).toEqual(['CUSTOMERP APPLIED', 'CRMOFFICE PENDING']);

    await world.world.engine.releaseLeases(); // the world's own backfill held them
    const engine = new SyncEngine(
      {
        db: world.world.database.db,
        customerp: new BrokenFeeds(world.world.systems.customerp.client),
        crmoffice: world.world.systems.crmoffice,
        writeOwnership: outboxWriteOwnership(world.world.database.db),
      },
      { owner: 'broken-feeds' },
    );
    const passes: SyncSummary[] = [];
    const worker = new SyncWorker(
      {
        runOnce: () => engine.runOnce().then((s) => (passes.push(s), s)),
        releaseLeases: () => engine.releaseLeases(),
      } as SyncEngine,
      { intervalMs: 50 },
    );
    worker.start();
    world.outbox.start();
    try {
      await waitUntil(
        async () => (await world.operations.countUnfinished()) === 0,
        20_000,
        async () => `operations unfinished: ${await world.operations.countUnfinished()}; passes: ${passes.length}`,
      );
    } finally {
      await Promise.all([worker.stop(), world.outbox.stop()]);
    }
    expect(await world.crmofficeRecord('Contact', pair.crmoffice?.id as string)).toMatchObject({
      title: 'Independent',
    });
    expect(passes.length).toBeGreaterThan(0);
    for (const pass of passes)
      expect(pass.feeds.filter((f) => f.feed.startsWith('customerp:')).map((f) => f.blocked)).toEqual(
        Array(4).fill('change feed broken'),
      );
  });
});
