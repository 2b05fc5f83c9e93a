import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SystemInput } from '../../src/mappings/index.js';
import { SyncWorker } from '../../src/sync/index.js';
import { CrmofficeApi, type CrmofficeType } from '../../src/upstreams/index.js';
import { WriteThrough, type WriteResult } from '../../src/writes/index.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * Creates racing sync. A createContact writes Customerp first; from that moment the new record is in
 * Customerp's change feed, and a sync pass running every 50 ms sees it before the mutation has linked
 * its Crmoffice side. The operation owns the record from before it exists (WriteOwnership), so sync
 * neither creates a counterpart of its own nor pairs it: each e-mail ends with exactly one record per
 * system and one unified contact, and Crmoffice never sees a create that is then taken back.
 * The race is made certain, not left to luck: before each mutation sends its Crmoffice create, a
 * whole sync pass runs (the worker's next one), so every new Customerp record is seen by sync while
 * its mutation is still under way.
 */

/** Crmoffice as the write path sees it: each create waits until a sync pass that started after it was asked has run. */
class SyncFirstCrmoffice extends CrmofficeApi {
  worker: SyncWorker | null = null;
  override async create(type: CrmofficeType, input: SystemInput) {
    // The first joins a pass that may have started before our Customerp record existed; the second surely did not.
    await this.worker?.runNow();
    await this.worker?.runNow();
    return super.create(type, input);
  }
}

const CREATES = 60;
const CONCURRENCY = 6;

let world: WriteWorld;
let crmoffice: SyncFirstCrmoffice;
let writes: WriteThrough;

beforeAll(async () => {
  world = await startWriteWorld('create race');
  crmoffice = new SyncFirstCrmoffice(world.world.systems.crmoffice.client);
  writes = new WriteThrough({ db: world.world.database.db, customerp: world.world.systems.customerp, crmoffice });
});

afterAll(() => world.close());

/** The burst's e-mails: named, and in no seeded record. */
const emailOf = (index: number): string => `race-${String(index).padStart(2, '0')}@burst.example`;

describe('createContact while sync runs every 50 ms', () => {
  it('ends with exactly one record per e-mail in each system and one unified contact', async () => {
    const worker = new SyncWorker(world.world.engine, {
      intervalMs: 50,
      afterPass: async () => void (await world.outbox.runOnce()),
    });
    crmoffice.worker = worker;
    await world.world.systems.resetStats();
    worker.start();
    const results: WriteResult[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < CREATES) {
        const index = next++;
        results.push(
          await writes.createContact({
            kind: 'CUSTOMER_CONTACT',
            firstName: 'Race',
            lastName: `Burst ${index}`,
            email: emailOf(index),
          }),
        );
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, () => lane()));
    } finally {
      await worker.stop();
    }
    // Whatever sync or the outbox still had in hand settles.
    expect(await world.outbox.runUntilIdle(30_000)).toBe(0);
    await world.world.engine.runOnce();

    expect(results).toHaveLength(CREATES);
    for (const result of results) {
      expect(result.writes).toEqual([
        { system: 'CUSTOMERP', state: 'APPLIED', error: null },
        { system: 'CRMOFFICE', state: 'APPLIED', error: null },
      ]);
    }
    const emails = Array.from({ length: CREATES }, (_, i) => emailOf(i));

    // Crmoffice: one contact per e-mail, made by the mutations alone; none created by sync and removed again.
    const crmContacts = await world.world.systems.crmoffice.findByIdentity('Contact', emails);
    expect(countBy(crmContacts.map((c) => (c as { email: string }).email.toLowerCase()))).toEqual(
      Object.fromEntries(emails.map((e) => [e, 1])),
    );
    const stats = await world.world.systems.stats();
    expect({
      created: stats.crmoffice.fields['createContact'] ?? 0,
      deleted: stats.crmoffice.fields['deleteContact'] ?? 0,
    }).toEqual({ created: CREATES, deleted: 0 });

    // Customerp: one customer contact per mutation, none more.
    expect(stats.customerp.fields['createContact'] ?? 0).toBe(CREATES);

    // The unified API: one live contact per e-mail, linked on both sides, to that e-mail's records.
    for (const [index, email] of emails.entries()) {
      const page = await world.world.links.page({ entity: 'Contact', filter: { email }, first: 10 });
      expect(page.totalCount).toBe(1);
      const [link] = page.links;
      expect(link?.kind).toBe('CUSTOMER_CONTACT');
      expect(link?.customerp?.id).toBeTruthy();
      expect(link?.crmoffice?.id).toBe(
        crmContacts.find((c) => (c as { email: string }).email.toLowerCase() === email)?.id,
      );
      expect(results.some((r) => r.linkId === link?._id)).toBe(true);
      expect(await world.customerpRecord('Contact', link?.customerp?.id as string)).toMatchObject({
        email,
        lastName: `Burst ${index}`,
      });
    }
  });
});

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
