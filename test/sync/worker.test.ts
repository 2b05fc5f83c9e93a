import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { LinkStore, setupIndexes } from '../../src/links/index.js';
import { LeaseStore, SyncEngine, SyncWorker, type SyncSummary } from '../../src/sync/index.js';
import { editRecord, pairsOf, readRecord } from '../support/edits.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { waitUntil } from '../support/sync-process.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';

/** When each pass of an engine started and ended (ms since the epoch), and how it ended. */
interface PassLog {
  starts: number[];
  ends: number[];
  outcomes: ('done' | 'failed')[];
}

/**
 * The sync worker (docs/design.md, "Sync semantics"): passes one after another with a pause of
 * `intervalMs` between them; stop() lets the running pass finish and gives up the feed leases.
 */
describe('SyncWorker', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let store: LinkStore;
  let worker: SyncWorker | undefined;

  beforeAll(async () => {
    systems = await startTestSystems();
    database = await testDatabase('worker');
    await setupIndexes(database.db);
    store = new LinkStore(database.db);
    const first = engine('first');
    await first.runOnce();
    await first.runOnce();
    await first.releaseLeases();
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await systems.faults('customerp', {});
  });

  afterAll(async () => {
    await systems.close();
    await database.drop();
  });

  function engine(owner: string): SyncEngine {
    return new SyncEngine(
      {
        db: database.db,
        customerp: systems.customerp,
        crmoffice: systems.crmoffice,
        writeOwnership: outboxWriteOwnership(database.db),
      },
      { owner },
    );
  }

  /** An engine whose passes are logged; `failFirst` makes the first pass throw (a bug, MongoDB gone). */
  function loggedEngine(owner: string, failFirst = false): { engine: SyncEngine; log: PassLog } {
    const logged = engine(owner);
    const log: PassLog = { starts: [], ends: [], outcomes: [] };
    const runOnce = logged.runOnce.bind(logged);
    logged.runOnce = async (): Promise<SyncSummary> => {
      log.starts.push(Date.now());
      try {
        if (failFirst && log.starts.length === 1) throw new Error('pass failed');
        const summary = await runOnce();
        log.outcomes.push('done');
        return summary;
      } catch (error) {
        log.outcomes.push('failed');
        throw error;
      } finally {
        log.ends.push(Date.now());
      }
    };
    return { engine: logged, log };
  }

  it('runs a pass at once, then one per interval, and brings edits made meanwhile across', async () => {
    const { engine: logged, log } = loggedEngine('interval');
    worker = new SyncWorker(logged, { intervalMs: 300 });
    worker.start();
    const [pair] = await pairsOf(store, 'Contact', 'EMPLOYEE');
    if (!pair) throw new Error('no employee pair');
    await editRecord(systems.customerp, 'Employee', pair.customerp.id, { jobTitle: 'Picked up by the worker' });

    await waitUntil(
      async () =>
        (await readRecord(systems.crmoffice, 'Contact', pair.crmoffice.id))['title'] === 'Picked up by the worker',
      15_000,
      () => 'edit not synced',
    );
    await waitUntil(
      () => log.ends.length >= 4,
      15_000,
      () => `${log.ends.length} passes`,
    );
    const started = worker;
    await waitUntil(
      () => started.phase.phase === 'waiting',
      5_000,
      () => started.phase.phase,
    );
    expect(worker.phase).toEqual({ phase: 'waiting', until: expect.any(Date) });

    const pauses = log.starts.slice(1).map((start, i) => start - (log.ends[i] as number));
    // Never sooner than the interval; about the interval (the median, robust to a loaded machine's hiccups).
    expect(pauses.filter((pause) => pause < 295)).toEqual([]);
    expect([...pauses].sort((a, b) => a - b)[Math.floor(pauses.length / 2)]).toBeLessThan(300 + 150);
    expect(log.outcomes.every((o) => o === 'done')).toBe(true);
    expect(worker.last?.feeds.filter((f) => f.blocked)).toEqual([]);
  });

  it('stop() lets the running pass finish, then releases every lease so another process takes over at once', async () => {
    await systems.faults('customerp', { latencyMs: 60 }); // a pass of a second or so
    const { engine: logged, log } = loggedEngine('stopping');
    worker = new SyncWorker(logged, { intervalMs: 200 });
    worker.start();
    const running = worker;
    await waitUntil(
      () => running.phase.phase === 'running' && log.starts.length === 1,
      5_000,
      () => running.phase.phase,
    );
    await new Promise((resolve) => setTimeout(resolve, 100)); // well inside the pass: it holds some leases by now

    const stopped = worker.stop();
    expect(worker.phase).toEqual({ phase: 'stopping' });
    await stopped;
    const stoppedAt = Date.now();
    expect(worker.phase).toEqual({ phase: 'stopped' });
    expect(log).toEqual({ starts: [expect.any(Number)], ends: [expect.any(Number)], outcomes: ['done'] });
    expect(log.ends[0]).toBeLessThanOrEqual(stoppedAt);
    expect(worker.last?.feeds.map((f) => f.blocked)).toEqual(worker.last?.feeds.map(() => null));

    const leases = (await new LeaseStore(database.db).list()).filter((l) => l.owner === logged.owner);
    expect(leases.map((l) => l.expiresAt.getTime())).toEqual(leases.map(() => 0));
    expect(leases).toHaveLength(8);
    const successor = engine('successor');
    const next = await successor.runOnce();
    expect(next.feeds.filter((f) => f.blocked)).toEqual([]);
    await successor.releaseLeases();

    await new Promise((resolve) => setTimeout(resolve, 500)); // more than two intervals: no pass after stop()
    expect(log.starts).toHaveLength(1);
  });

  it('joins the running pass when asked to run now, instead of starting a second one', async () => {
    await systems.faults('customerp', { latencyMs: 30 });
    const { engine: logged, log } = loggedEngine('run-now');
    worker = new SyncWorker(logged, { intervalMs: 10_000 });
    worker.start();
    const running = worker;
    await waitUntil(
      () => running.phase.phase === 'running',
      5_000,
      () => running.phase.phase,
    );
    const [joined, again] = await Promise.all([worker.runNow(), worker.runNow()]);
    expect(joined).toBe(again);
    expect(log.starts).toHaveLength(1);
    expect(joined?.startedAt).toBe(worker.last?.startedAt);
  });

  it('logs a failed pass and tries again after the interval', async () => {
    const { engine: logged, log } = loggedEngine('recovering', true);
    worker = new SyncWorker(logged, { intervalMs: 100 });
    worker.start();
    await waitUntil(
      () => log.outcomes.length >= 2,
      10_000,
      () => JSON.stringify(log.outcomes),
    );
    expect(log.outcomes.slice(0, 2)).toEqual(['failed', 'done']);
    expect((log.starts[1] as number) - (log.ends[0] as number)).toBeGreaterThanOrEqual(95);
  });
});
