import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoSizeOf } from '../../src/reference/core/index.js';
import { setupIndexes } from '../../src/links/index.js';
import { SyncEngine, type SyncSummary } from '../../src/sync/index.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';
import { convergenceProblems, readCrmoffice, type CrmofficeData } from '../support/convergence.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { startSyncProcess, waitUntil, type SyncProcess } from '../support/sync-process.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';

/**
 * Leases are renewed while a pass works, and a pass stops writing the moment its lease is gone. The
 * loss is made real: a `sync --once` child with a short lease (1.5 s) and a slow Crmoffice is paused
 * (SIGSTOP) in the middle of its first page for longer than its lease, a second sync process takes
 * the feeds over and applies them, then the first is resumed (SIGCONT). Fencing is a check before
 * each write: one request that passed it just before the pause may still go out after (see below).
 */
describe('a sync process that loses its lease in the middle of a page', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let seeded: CrmofficeData;
  let first: SyncProcess | undefined;

  beforeAll(async () => {
    systems = await startTestSystems({ seed: demoSizeOf(180) });
    database = await testDatabase('lease_loss');
    await setupIndexes(database.db);
    seeded = await readCrmoffice(systems.crmofficeServer.url);
  });

  afterAll(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    await systems.close();
    await database.drop();
  });

  it('starts no write once resumed (one already past its fence at most), and the process that took over applies the page once', async () => {
    await systems.faults('crmoffice', { latencyMs: 150 });
    first = startSyncProcess(
      {
        mongodbUri: process.env['MONGODB_URI'] as string,
        database: database.name,
        customerpUrl: systems.customerpServer.url,
        crmofficeUrl: systems.crmofficeServer.url,
        customerpToken: systems.tokens.customerp,
        crmofficeToken: systems.tokens.crmoffice,
      },
      ['--once', '--json'],
      // A long upstream timeout: the request in flight when it was paused is answered, not timed out.
      { SYNC_LEASE_TTL_MS: '1500', UPSTREAM_TIMEOUT_MS: '10000' },
    );
    const crmofficeWrites = async () => (await systems.writes()).crmoffice;
    await waitUntil(
      async () => (await crmofficeWrites()) >= 5,
      40_000,
      async () => `${await crmofficeWrites()} Crmoffice writes`,
      10,
    );
    first.child.kill('SIGSTOP');
    // Paused well past its lease (1.5 s): the lease runs out in MongoDB while the process cannot renew it.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await systems.faults('crmoffice', {});

    const second = new SyncEngine(
      {
        db: database.db,
        customerp: systems.customerp,
        crmoffice: systems.crmoffice,
        writeOwnership: outboxWriteOwnership(database.db),
      },
      { owner: 'took-over' },
    );
    const takeover = await second.runOnce();
    expect(takeover.feeds.filter((f) => f.blocked !== null)).toEqual([]);

    await systems.resetStats();
    first.child.kill('SIGCONT');
    const { stdout } = await first.exit;
    const resumed = JSON.parse(stdout) as SyncSummary;
    // The feed it was on stops at its next write; every other feed is now the second process's.
    expect(resumed.feeds.filter((f) => f.blocked === 'lease lost to another sync process')).toHaveLength(1);
    expect(resumed.feeds.filter((f) => f.blocked === 'owned by another sync process').length).toBeGreaterThan(0);
    // It starts no write once resumed. A write that had passed the fence (asked the lease) just before
    // the pause can still leave the process after it: the systems take no fencing token, so nothing
    // can stop that one request. Without fencing the rest of the page would be written.
    const after = await systems.writes();
    expect(after.customerp + after.crmoffice).toBeLessThanOrEqual(1);
    expect(
      await convergenceProblems(
        database.db,
        { customerp: systems.customerpServer.url, crmoffice: systems.crmofficeServer.url },
        seeded,
      ),
    ).toEqual([]);
    await second.releaseLeases();
  }, 90_000);
});
