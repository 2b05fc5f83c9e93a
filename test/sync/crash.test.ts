import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoSizeOf, type RequestStats } from '../../src/reference/core/index.js';
import { LinkStore, setupIndexes } from '../../src/links/index.js';
import type { CrmofficeRecord, SystemInput } from '../../src/mappings/index.js';
import { LeaseStore, SyncEngine, type SyncSummary } from '../../src/sync/index.js';
import { CrmofficeApi, type CrmofficeType, type FeedPage, type UpstreamClient } from '../../src/upstreams/index.js';
import { editRecord, pairsOf } from '../support/edits.js';
import { convergenceProblems, readCrmoffice, type CrmofficeData } from '../support/convergence.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import {
  runSyncOnce,
  startSyncProcess,
  waitUntil,
  type SyncProcess,
  type SyncProcessTarget,
} from '../support/sync-process.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';

/**
 * Crash safety (docs/design.md, "Sync semantics"): the sync process is killed with SIGKILL in the middle of
 * its first pass, while it creates Crmoffice records, and restarted; later killed again amid many
 * edits. Cursors only move after their changes are applied, and a record created just before the kill
 * is found again by its identity key, so the restarted process finishes the work without creating any
 * Crmoffice record twice, and a further pass finds nothing to write.
 */
describe('sync process killed in the middle of a pass', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let target: SyncProcessTarget;
  let seeded: CrmofficeData;
  const children: SyncProcess[] = [];

  beforeAll(async () => {
    // About 140 Customerp records (90 without a Crmoffice counterpart) and 40 Crmoffice-only ones.
    systems = await startTestSystems({ seed: demoSizeOf(180) });
    database = await testDatabase('crash');
    target = {
      mongodbUri: process.env['MONGODB_URI'] as string,
      database: database.name,
      customerpUrl: systems.customerpServer.url,
      crmofficeUrl: systems.crmofficeServer.url,
      customerpToken: systems.tokens.customerp,
      crmofficeToken: systems.tokens.crmoffice,
    };
    seeded = await readCrmoffice(systems.crmofficeServer.url);
  });

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await systems.close();
    await database.drop();
  });

  const leases = () => new LeaseStore(database.db).list();

  /** Starts the worker process, lets `until` become true, kills it with SIGKILL. */
  async function killWorkerWhen(
    until: () => boolean | Promise<boolean>,
    what: () => string | Promise<string>,
  ): Promise<void> {
    const running = startSyncProcess(target);
    children.push(running);
    await waitUntil(until, 40_000, async () => `${await what()}; ${await describeProcess(running)}`, 10);
    running.child.kill('SIGKILL');
    expect((await running.exit).signal).toBe('SIGKILL');
  }

  async function cursorsOf(feeds: string[]): Promise<Record<string, string | null>> {
    const docs = await database.db
      .collection<{ _id: string; cursor: string | null }>('sync_cursors')
      .find({ _id: { $in: feeds } })
      .toArray();
    return Object.fromEntries(docs.map((d) => [d._id, d.cursor]));
  }

  /** Stands in for the dead process's leases expiring (60 s by default; the CLI has no setting for it). */
  async function expireLeases(): Promise<void> {
    await database.db.collection('sync_leases').updateMany({}, { $set: { expiresAt: new Date(0) } });
  }

  /** A further pass, in-process: it must find nothing to write. */
  async function furtherPassWrites(): Promise<{
    summary: SyncSummary;
    writes: { customerp: number; crmoffice: number };
  }> {
    await systems.resetStats();
    const engine = new SyncEngine(
      {
        db: database.db,
        customerp: systems.customerp,
        crmoffice: systems.crmoffice,
        writeOwnership: outboxWriteOwnership(database.db),
      },
      { owner: 'further-pass' },
    );
    const summary = await engine.runOnce();
    await engine.releaseLeases();
    return { summary, writes: await systems.writes() };
  }

  it('is cut short while it creates Crmoffice records', async () => {
    await killWorkerWhen(
      () => writesOf(systems.crmofficeServer.stats()) >= 20,
      () => `${writesOf(systems.crmofficeServer.stats())} Crmoffice writes`,
    );
    expect(await convergenceProblems(database.db, urls(target), seeded)).not.toEqual([]);
  }, 60_000);

  it("is not overtaken by a process started at once: the dead process's feeds wait for their leases, the others run", async () => {
    const held = (await leases()).filter((l) => l.expiresAt > new Date()).map((l) => l.name);
    expect(held).toContain('customerp:PRODUCT'); // the first feed, where it was creating companies
    const heldCursors = await cursorsOf(held);
    const polite = await runSyncOnce<SyncSummary>(target);
    expect(polite.code).toBe(0);
    expect(polite.summary.feeds.filter((f) => f.blocked).map((f) => `${f.feed}: ${f.blocked}`)).toEqual(
      polite.summary.feeds.filter((f) => held.includes(f.feed)).map((f) => `${f.feed}: owned by another sync process`),
    );
    expect(await cursorsOf(held)).toEqual(heldCursors);
  }, 60_000);

  it('is finished by a process restarted once the leases expire: every record linked once, nothing created twice', async () => {
    await expireLeases();
    const finish = await runSyncOnce<SyncSummary>(target);
    expect(finish.code).toBe(0);
    expect(finish.summary.feeds.filter((f) => f.blocked)).toEqual([]);
    expect(finish.summary.totals.created).toBeGreaterThan(0);
    expect(await convergenceProblems(database.db, urls(target), seeded)).toEqual([]);

    const further = await furtherPassWrites();
    expect(further.writes).toEqual({ customerp: 0, crmoffice: 0 });
    expect(further.summary.totals).toMatchObject({
      created: 0,
      linked: 0,
      tracked: 0,
      updated: 0,
      deleted: 0,
      errors: 0,
    });
  }, 60_000);

  it('converges again after a kill amid many edits on both sides: every edit arrives, then nothing to write', async () => {
    const store = new LinkStore(database.db);
    const employees = (await pairsOf(store, 'Contact', 'EMPLOYEE')).slice(0, 30);
    const customers = (await pairsOf(store, 'Contact', 'CUSTOMER_CONTACT')).slice(0, 30);
    expect([employees.length, customers.length]).toEqual([30, 30]);
    for (const p of employees)
      await editRecord(systems.customerp, 'Employee', p.customerp.id, { jobTitle: `Retitled ${p.customerp.id}` });
    for (const p of customers)
      await editRecord(systems.crmoffice, 'Contact', p.crmoffice.id, { phone: `+46 ${p.crmoffice.id}` });

    await systems.resetStats();
    await killWorkerWhen(
      () => writesOf(systems.crmofficeServer.stats()) >= 15,
      () => `${writesOf(systems.crmofficeServer.stats())} Crmoffice writes`,
    );
    expect((await leases()).filter((l) => l.expiresAt > new Date()).map((l) => l.name)).toContain('customerp:EMPLOYEE');
    await expireLeases();
    const finish = await runSyncOnce<SyncSummary>(target);
    expect(finish.code).toBe(0);
    expect(finish.summary.feeds.filter((f) => f.blocked)).toEqual([]);

    const titles = await systems.crmoffice.getMany(
      'Contact',
      employees.map((p) => p.crmoffice.id),
    );
    expect(titles.map((c) => (c as { title: string | null }).title)).toEqual(
      employees.map((p) => `Retitled ${p.customerp.id}`),
    );
    const phones = await systems.customerp.getMany(
      'Contact',
      customers.map((p) => p.customerp.id),
    );
    expect(phones.map((c) => (c as { phone: string | null }).phone)).toEqual(
      customers.map((p) => `+46 ${p.crmoffice.id}`),
    );
    expect(await convergenceProblems(database.db, urls(target), seeded)).toEqual([]);
    expect((await furtherPassWrites()).writes).toEqual({ customerp: 0, crmoffice: 0 });
  }, 60_000);
});

/**
 * The narrowest crash window, made deterministic in-process: Crmoffice creates the record, and the
 * sync process dies before it learns the new id (the answer is lost, the link not yet attached).
 */
describe('sync pass that dies right after Crmoffice created a record', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let seeded: CrmofficeData;

  beforeAll(async () => {
    systems = await startTestSystems();
    database = await testDatabase('crash_after_create');
    await setupIndexes(database.db);
    seeded = await readCrmoffice(systems.crmofficeServer.url);
  });

  afterAll(async () => {
    await systems.close();
    await database.drop();
  });

  it('links each record it created instead of creating it again, for companies, contacts and activities', async () => {
    const store = new LinkStore(database.db);
    const expireLeases = () =>
      database.db.collection('sync_leases').updateMany({}, { $set: { expiresAt: new Date(0) } });
    let previous: { type: CrmofficeType; id: string } | null = null;
    // Each pass dies at its first create of `type`; the next one, restarted, must adopt that record.
    for (const type of ['Company', 'Contact', 'Activity'] as const) {
      const dying = new DiesAfterCreate(systems.crmoffice.client, type);
      const engine = new SyncEngine(
        {
          db: database.db,
          customerp: systems.customerp,
          crmoffice: dying,
          writeOwnership: outboxWriteOwnership(database.db),
        },
        { owner: `dies-after-${type}` },
      );
      // The dead process's feed stops at the failure, its cursor unmoved; every later call fails too.
      const dead = await engine.runOnce();
      expect(dead.feeds.find((f) => f.blocked !== null)?.blocked).toMatch(`died after creating Crmoffice ${type} `);
      await expireLeases();
      const orphan = { type, id: dying.created as string };
      expect(await store.findByRef('CRMOFFICE', orphan)).toBeNull();
      if (previous)
        expect((await store.findByRef('CRMOFFICE', previous))?.customerp).toEqual(
          expect.objectContaining({ id: expect.any(String) }),
        );
      previous = orphan;
    }

    const restarted = new SyncEngine({
      db: database.db,
      customerp: systems.customerp,
      crmoffice: systems.crmoffice,
      writeOwnership: outboxWriteOwnership(database.db),
    });
    const finish = await restarted.runOnce();
    expect(finish.feeds.filter((f) => f.blocked)).toEqual([]);
    expect((await store.findByRef('CRMOFFICE', previous as { type: CrmofficeType; id: string }))?.customerp).toEqual(
      expect.objectContaining({ id: expect.any(String) }),
    );
    expect(
      await convergenceProblems(
        database.db,
        { customerp: systems.customerpServer.url, crmoffice: systems.crmofficeServer.url },
        seeded,
      ),
    ).toEqual([]);

    await systems.resetStats();
    await restarted.runOnce();
    expect(await systems.writes()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

/** Crmoffice whose first create of `type` succeeds there, after which the caller dies (throws). */
/** A Crmoffice client of a process that dies right after its first create of `type`: every later call fails. */
class DiesAfterCreate extends CrmofficeApi {
  created: string | undefined;

  constructor(
    client: UpstreamClient,
    private readonly type: CrmofficeType,
  ) {
    super(client);
  }

  private assertAlive(): void {
    if (this.created !== undefined) throw new Error(`died after creating Crmoffice ${this.type} ${this.created}`);
  }

  override async create(type: CrmofficeType, input: SystemInput): Promise<CrmofficeRecord> {
    this.assertAlive();
    const record = await super.create(type, input);
    if (type === this.type) {
      this.created = record.id;
      this.assertAlive();
    }
    return record;
  }

  override getMany(type: CrmofficeType, ids: readonly string[]): Promise<(CrmofficeRecord | null)[]> {
    this.assertAlive();
    return super.getMany(type, ids);
  }

  override findByIdentity(type: CrmofficeType, values: readonly string[]): Promise<CrmofficeRecord[]> {
    this.assertAlive();
    return super.findByIdentity(type, values);
  }

  override update(type: CrmofficeType, id: string, input: SystemInput, token: string | null): Promise<CrmofficeRecord> {
    this.assertAlive();
    return super.update(type, id, input, token);
  }

  override remove(type: CrmofficeType, id: string, token: string | null): Promise<boolean> {
    this.assertAlive();
    return super.remove(type, id, token);
  }

  override changes(type: CrmofficeType, since: string | null, limit: number): Promise<FeedPage> {
    this.assertAlive();
    return super.changes(type, since, limit);
  }
}

function urls(target: SyncProcessTarget): { customerp: string; crmoffice: string } {
  return { customerp: target.customerpUrl, crmoffice: target.crmofficeUrl };
}

/** Mutations a system served (root fields named create…, update…, delete…). */
function writesOf(stats: RequestStats): number {
  return Object.entries(stats.fields)
    .filter(([field]) => /^(create|update|delete)/.test(field))
    .reduce((sum, [, n]) => sum + n, 0);
}

async function describeProcess(process: SyncProcess): Promise<string> {
  const settled = await Promise.race([
    process.exit,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), 0)),
  ]);
  return settled
    ? `the process exited ${settled.code}: ${settled.stderr.slice(0, 1000)}`
    : 'the process is still running';
}
