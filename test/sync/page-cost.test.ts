import { afterAll, describe, expect, it } from '@jest/globals';
import type { DemoSize } from '../../src/reference/core/index.js';
import { countCommands } from '../../src/mongo/index.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

// Sync by the page (issue #12, item 4): the links of a page of changes are read in one query and
// written in one insert, so a backfill page of 100 records costs the same few MongoDB commands
// whatever its size. Measured as the difference between a backfill of two pages and one of one page:
// everything else a pass does (leases, cursors, the other feeds) is the same in both.

const NONE: DemoSize = {
  employees: 0,
  customerContacts: 0,
  products: 0,
  projects: 0,
  crmOnlyContacts: 0,
  crmOnlyCompanies: 0,
  crmOnlyActivities: 0,
};

const worlds: SyncWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((world) => world.close()));
});

/** The MongoDB commands of a first pass over `seed`, by name, sorted, with pages of 100 changes. */
async function backfillCommands(suite: string, seed: DemoSize): Promise<string[]> {
  const world = await startSyncWorld(suite, { seed, engine: { batchSize: 100 } });
  worlds.push(world);
  const commands = countCommands(world.database.client);
  const summary = await world.engine.runOnce();
  commands.stop();
  expect(summary.feeds.filter((feed) => feed.blocked !== null)).toEqual([]);
  return commands.names().sort();
}

/** What `more` has that `fewer` has not, by name (a multiset difference). */
function extra(more: readonly string[], fewer: readonly string[]): string[] {
  const left = [...fewer];
  return more.filter((name) => {
    const at = left.indexOf(name);
    if (at === -1) return true;
    left.splice(at, 1);
    return false;
  });
}

describe('a backfill page', () => {
  it('of 100 Crmoffice-only records costs one links query, one links insert and one insert of their changes, plus its cursor', async () => {
    const one = await backfillCommands('page cost one', { ...NONE, crmOnlyCompanies: 100 });
    const two = await backfillCommands('page cost two', { ...NONE, crmOnlyCompanies: 200 });
    // The links of the page (find), their insert, the insert of their changes for subscribers, the cursor.
    expect(extra(two, one)).toEqual(['find', 'insert', 'insert', 'update']);
    expect(extra(one, two)).toEqual([]);
  });

  it('of 100 Customerp records, half matched to Crmoffice records and half given a new counterpart, writes all their links in one insert', async () => {
    // Every second product has its company in Crmoffice already (demoMatches.product).
    const one = await backfillCommands('page cost products one', { ...NONE, products: 100 });
    const two = await backfillCommands('page cost products two', { ...NONE, products: 200 });
    // Four lookups (links of both feeds' pages, of the candidates, the outbox's claims), one insert of
    // the 100 links and one of their changes, the two feeds' cursors. No link is written twice, none
    // on its own (before: an insert and an update per matched pair, an insert per created one).
    expect(extra(two, one)).toEqual(['find', 'find', 'find', 'find', 'insert', 'insert', 'update', 'update']);
    expect(extra(one, two)).toEqual([]);
  });
});
