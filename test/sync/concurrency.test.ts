import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LinkStore, setupIndexes } from '../../src/links/index.js';
import { connectMongo } from '../../src/mongo/index.js';
import { LeaseStore, SyncEngine, type SyncSummary } from '../../src/sync/index.js';
import { convergenceProblems, readCrmoffice, type CrmofficeData } from '../support/convergence.js';
import { changesSince, editRecord, feedEnd, pairsOf, readRecord, type Pair } from '../support/edits.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';

/**
 * Several sync processes on one database (docs/design.md, "Scale"): each feed is owned by one process at a
 * time through a lease; a dead owner's lease expires and another process takes the feed over.
 */
describe('two sync engines on the same database', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let store: LinkStore;
  let seeded: CrmofficeData;
  const engine = (owner: string, leaseTtlMs?: number) =>
    new SyncEngine(
      {
        db: database.db,
        customerp: systems.customerp,
        crmoffice: systems.crmoffice,
        writeOwnership: outboxWriteOwnership(database.db),
      },
      { owner, leaseTtlMs },
    );

  beforeAll(async () => {
    systems = await startTestSystems();
    database = await testDatabase('concurrency');
    await setupIndexes(database.db);
    store = new LinkStore(database.db);
    seeded = await readCrmoffice(systems.crmofficeServer.url);
    const backfill = engine('backfill');
    await backfill.runOnce();
    await backfill.runOnce(); // the echoes of the backfill's own writes
    await backfill.releaseLeases();
  });

  afterAll(async () => {
    await systems.close();
    await database.drop();
  });

  it('applies every change exactly once when both run passes at the same time', async () => {
    const employees = (await pairsOf(store, 'Contact', 'EMPLOYEE')).slice(0, 6);
    const products = (await pairsOf(store, 'Company')).slice(0, 4);
    const customers = (await pairsOf(store, 'Contact', 'CUSTOMER_CONTACT')).slice(0, 6);
    const projects = (await pairsOf(store, 'Activity')).slice(0, 3);
    expect([employees.length, products.length, customers.length, projects.length]).toEqual([6, 4, 6, 3]);
    const crmCursors = {
      Contact: await feedEnd(systems.crmoffice, 'Contact'),
      Company: await feedEnd(systems.crmoffice, 'Company'),
      Activity: await feedEnd(systems.crmoffice, 'Activity'),
    };

    // Edits made directly in each system, on distinct pairs, plus new records on both sides.
    for (const p of employees)
      await editRecord(systems.customerp, 'Employee', p.customerp.id, { jobTitle: `Title ${p.customerp.id}` });
    for (const p of products)
      await editRecord(systems.customerp, 'Product', p.customerp.id, { description: `About ${p.customerp.id}` });
    const hired = [];
    for (const n of [1, 2, 3])
      hired.push(
        (
          await systems.customerp.create('Employee', {
            firstName: 'New',
            lastName: `Hire ${n}`,
            email: `new.hire.${n}@concurrency.example`,
          })
        ).id,
      );
    for (const p of customers)
      await editRecord(systems.crmoffice, 'Contact', p.crmoffice.id, { phone: `+45 ${p.crmoffice.id}` });
    for (const p of projects)
      await editRecord(systems.crmoffice, 'Activity', p.crmoffice.id, { description: `Notes ${p.crmoffice.id}` });
    const leads: string[] = [];
    for (const n of [1, 2]) {
      const email = `lead.${n}@concurrency.example`;
      leads.push(
        (await systems.crmoffice.create('Contact', { lastName: `Lead ${n}`, email, contactType: 'OTHER' })).id,
      );
      seeded.contacts.push({ id: leads.at(-1) as string, email }); // made in Crmoffice, not by sync
    }
    const cpCursors = {
      Contact: await feedEnd(systems.customerp, 'Contact'),
      Project: await feedEnd(systems.customerp, 'Project'),
    };
    const versions = await versionsOf(customers, projects);
    await systems.resetStats();

    const [a, b] = [engine('engine-a'), engine('engine-b')];
    const passes = async (e: SyncEngine) => [await e.runOnce(), await e.runOnce(), await e.runOnce()];
    const summaries = (await Promise.all([passes(a), passes(b)])).flat();
    await a.releaseLeases();
    await b.releaseLeases();

    // Both did work: the feeds were shared out, not all taken by one engine.
    expect(new Set(summaries.slice(0, 3).flatMap(ranFeeds)).size).toBeGreaterThan(0);
    expect(new Set(summaries.slice(3).flatMap(ranFeeds)).size).toBeGreaterThan(0);
    expect(summaries.every((s) => s.totals.errors === 0)).toBe(true);

    // Each Crmoffice record changed exactly once since the edits began (by the edit made there, or by
    // sync applying a Customerp edit or new record), each Customerp record once since they ended (by
    // sync applying a Crmoffice edit): applied once, never echoed back, nothing else touched.
    const crmChanges = {
      ...(await changesSince(systems.crmoffice, 'Contact', crmCursors.Contact)),
      ...(await changesSince(systems.crmoffice, 'Company', crmCursors.Company)),
    };
    const hiredLinks = await store.findByRefs(
      'CUSTOMERP',
      hired.map((id) => ({ type: 'Employee' as const, id })),
    );
    const expectedCrm = Object.fromEntries(
      [...employees, ...products, ...customers]
        .map((p) => p.crmoffice.id)
        .concat(
          hiredLinks.map((l) => l?.crmoffice?.id ?? 'missing'),
          leads,
        )
        .map((id) => [id, 1]),
    );
    expect(crmChanges).toEqual(expectedCrm);
    expect(await changesSince(systems.crmoffice, 'Activity', crmCursors.Activity)).toEqual(
      Object.fromEntries(projects.map((p) => [p.crmoffice.id, 1])),
    );
    expect({
      ...(await changesSince(systems.customerp, 'Contact', cpCursors.Contact)),
      ...(await changesSince(systems.customerp, 'Project', cpCursors.Project)),
    }).toEqual(Object.fromEntries([...customers, ...projects].map((p) => [p.customerp.id, 1])));
    expect(await versionsOf(customers, projects)).toEqual(
      Object.fromEntries(Object.entries(versions).map(([id, v]) => [id, v + 1])),
    );

    // The edits arrived, and nothing was linked or created twice.
    for (const p of employees)
      expect(await readRecord(systems.crmoffice, 'Contact', p.crmoffice.id)).toMatchObject({
        title: `Title ${p.customerp.id}`,
      });
    for (const p of customers)
      expect(await readRecord(systems.customerp, 'Contact', p.customerp.id)).toMatchObject({
        phone: `+45 ${p.crmoffice.id}`,
      });
    expect(
      await convergenceProblems(
        database.db,
        { customerp: systems.customerpServer.url, crmoffice: systems.crmofficeServer.url },
        seeded,
      ),
    ).toEqual([]);

    // And attempted exactly once: no write was sent twice (by both engines) and refused the second time.
    expect(await systems.writes()).toEqual({
      customerp: customers.length + projects.length,
      crmoffice: employees.length + products.length + hired.length,
    });
  });

  it('gives a free lease to exactly one of two processes asking at the same moment', async () => {
    // Two clients, as two processes would have: each with its own connections.
    const other = await connectMongo(process.env['MONGODB_URI'] as string, database.name);
    try {
      const [mine, theirs] = [new LeaseStore(database.db), new LeaseStore(other.db)];
      const winners: number[] = [];
      for (let round = 0; round < 10; round++) {
        const feed = `race-${round}`;
        if (round % 2 === 1) {
          // A lease that exists but was given up (stop()) or expired, rather than one never taken.
          await mine.acquire(feed, 'earlier-owner', 60_000);
          await mine.release(feed, 'earlier-owner');
        }
        const won = await Promise.all([
          mine.acquire(feed, 'process-a', 60_000),
          theirs.acquire(feed, 'process-b', 60_000),
        ]);
        winners.push(won.filter(Boolean).length);
      }
      expect(winners).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    } finally {
      await other.client.close();
    }
  });

  it("takes over a dead owner's leases once they expire, and not before", async () => {
    const dead = engine('dead-owner', 5000);
    await dead.runOnce(); // takes every lease and never gives them up
    const [pair] = await pairsOf(store, 'Contact', 'EMPLOYEE');
    if (!pair) throw new Error('no employee pair');
    await editRecord(systems.customerp, 'Employee', pair.customerp.id, { department: 'Taken over' });

    const live = engine('live-owner');
    const early = await live.runOnce();
    expect(early.feeds.map((f) => f.blocked)).toEqual(early.feeds.map(() => 'owned by another sync process'));
    expect(await readRecord(systems.crmoffice, 'Contact', pair.crmoffice.id)).not.toMatchObject({
      department: 'Taken over',
    });

    const holders = async (owner: string) =>
      (await new LeaseStore(database.db).list()).filter((l) => l.owner === owner);
    const expiry = Math.max(...(await holders('dead-owner')).map((l) => l.expiresAt.getTime()));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now()) + 20));
    const late = await live.runOnce();
    expect(late.feeds.filter((f) => f.blocked)).toEqual([]);
    expect(await readRecord(systems.crmoffice, 'Contact', pair.crmoffice.id)).toMatchObject({
      department: 'Taken over',
    });
    expect(await holders('dead-owner')).toHaveLength(0);
    expect(await holders('live-owner')).toHaveLength(early.feeds.length);
    await live.releaseLeases();
  });

  async function versionsOf(customers: Pair[], projects: Pair[]): Promise<Record<string, number>> {
    const versions: Record<string, number> = {};
    for (const p of customers)
      versions[p.customerp.id] = (await readRecord(systems.customerp, 'Contact', p.customerp.id))['version'] as number;
    for (const p of projects)
      versions[p.customerp.id] = (await readRecord(systems.customerp, 'Project', p.customerp.id))['version'] as number;
    return versions;
  }
});

/** Feeds a pass ran (held the lease for), by id. */
function ranFeeds(summary: SyncSummary): string[] {
  return summary.feeds.filter((f) => f.blocked === null).map((f) => f.feed);
}
