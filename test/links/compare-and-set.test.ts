import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  LinkStore,
  StaleLinkVersionError,
  storedChanges,
  setupIndexes,
  type Conflict,
  type CrmofficeRef,
  type CustomerpRef,
  type Link,
  type LinkChanges,
} from '../../src/links/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// Compare-and-set under contention: many writers holding the same version of one link, all sent at
// once. Each versioned write is one atomic findOneAndUpdate({ _id, version, … }), so exactly one of
// them may win; a store that read the version, checked it and then wrote would let several through
// and leave a document mixed from their changes. Several rounds, so that a lucky serial interleaving
// cannot pass for atomicity.

const ROUNDS = 5;
const WRITERS = 20;

let mongo: TestDatabase;
let store: LinkStore;

beforeAll(async () => {
  mongo = await testDatabase('links compare and set');
  await setupIndexes(mongo.db);
  store = new LinkStore(mongo.db);
});

afterAll(async () => {
  await mongo.drop();
});

const anyDate = expect.any(Date) as unknown as Date;

/** One racing writer: what it sends, and the link it must leave when it is the one that wins. */
interface Racer {
  name: string;
  write(link: Link): Promise<Link>;
  expected(before: Link): Link;
}

/** The outcome of a race: the one winner (its index and result) and every loser's error. */
interface RaceOutcome {
  winner: { index: number; link: Link };
  losers: unknown[];
}

/** Fires every racer at `before` in the same tick and sorts the settled results; fails unless exactly one fulfilled. */
async function race(racers: readonly Racer[], before: Link): Promise<RaceOutcome> {
  const results = await Promise.allSettled(racers.map((racer) => racer.write(before)));
  const fulfilled = results.flatMap((result, index) =>
    result.status === 'fulfilled' ? [{ index, link: result.value }] : [],
  );
  expect(fulfilled.map(({ index }) => racers[index]!.name)).toHaveLength(1);
  return {
    winner: fulfilled[0]!,
    losers: results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : [])),
  };
}

/** Asserts every loser was told the link moved on from `before.version` to exactly the winner's version. */
function expectAllStale(losers: readonly unknown[], before: Link): void {
  expect(losers).toHaveLength(WRITERS - 1);
  for (const error of losers) {
    expect(error).toBeInstanceOf(StaleLinkVersionError);
    expect(error).toMatchObject({
      linkId: before._id,
      expectedVersion: before.version,
      actualVersion: before.version + 1,
    });
  }
}

/** The link `before` becomes under `changes`: those fields replaced, the version bumped, everything else as it was. */
function changed(before: Link, changes: Partial<Link>): Link {
  return { ...before, ...changes, updatedAt: anyDate, version: before.version + 1 };
}

function conflictOf(id: string, field: string, round: number): Conflict {
  return {
    id,
    field,
    customerpValue: `customerp ${id}`,
    crmofficeValue: `crmoffice ${id}`,
    kept: null,
    detectedAt: new Date(Date.UTC(2030, 0, 1 + round)),
    resolvedAt: null,
  };
}

/**
 * Writer `index` of `round`: each sets `keys` to its own marker, and one in three also sets `state`,
 * `snapshot` or `conflicts`, so a document mixed from several writers shows.
 */
function updateRacer(round: number, index: number): Racer {
  const marker = `round-${round}-writer-${index}`;
  const changes: LinkChanges = { keys: { name: marker, email: `${marker}@example.org` } };
  if (index % 3 === 0) changes.state = index % 2 === 0 ? 'ERROR' : 'PENDING';
  if (index % 3 === 1) changes.snapshot = { firstName: marker, 'address.city': `City of ${marker}` };
  if (index % 3 === 2) changes.conflicts = [conflictOf(`k-${marker}`, 'lastName', round)];
  return {
    name: `update ${marker}`,
    write: (link) => store.update(link._id, link.version, changes),
    expected: (before) => changed(before, storedChanges(changes) as Partial<Link>),
  };
}

describe('LinkStore.update with 20 writers at the same version', () => {
  it("lets exactly one win, in each of 5 rounds; the others get StaleLinkVersionError and the link holds the winner's changes and nothing else", async () => {
    // Every field off its default, so a field a writer did not touch but that was overwritten shows.
    const created = await store.create({
      entity: 'Contact',
      kind: 'EMPLOYEE',
      customerp: { type: 'Employee', id: 'emp-cas' },
      crmoffice: { type: 'Contact', id: 'crm-cas' },
      snapshot: { firstName: 'Grace', 'address.city': 'Arlington' },
      keys: { name: 'Grace Hopper', email: 'grace@example.org' },
      state: 'CONFLICT',
      conflicts: [conflictOf('k-fixture', 'phone', 0)],
      lastSyncedAt: new Date('2030-01-01T00:00:00.000Z'),
    });
    await store.update(created._id, 1, { detached: true, deletedAt: new Date('2030-06-01T00:00:00.000Z') });

    for (let round = 1; round <= ROUNDS; round++) {
      const before = (await store.findById(created._id))!;
      const racers = Array.from({ length: WRITERS }, (_, index) => updateRacer(round, index));
      const { winner, losers } = await race(racers, before);

      expectAllStale(losers, before);
      const expected = racers[winner.index]!.expected(before);
      expect(winner.link).toEqual(expected);
      expect(await store.findById(created._id)).toEqual(winner.link);
      expect(winner.link.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    }
  });
});

// attachSide only fills an empty side and detachSide only empties one of two, so no link state lets
// both be valid at once: attachSide races updates on a half link, detachSide races them on a pair.
describe('LinkStore.attachSide and detachSide racing update at the same version', () => {
  /** A fixture of `round`, every field off its default (detached, conflicts, snapshot, keys, state). */
  async function companyLink(
    round: number,
    sides: { customerp: CustomerpRef; crmoffice?: CrmofficeRef },
  ): Promise<Link> {
    const created = await store.create({
      entity: 'Company',
      ...sides,
      snapshot: { name: `Company of round ${round}` },
      keys: { name: `Company of round ${round}`, code: `CODE-${sides.customerp.id}` },
      state: 'IN_SYNC',
      lastSyncedAt: new Date('2030-01-01T00:00:00.000Z'),
    });
    return store.update(created._id, 1, {
      conflicts: [conflictOf(`k-${sides.customerp.id}`, 'name', round)],
      detached: true,
    });
  }

  function updateOf(round: number, index: number): Racer {
    const changes: LinkChanges = { state: 'ERROR', keys: { name: `round-${round}-writer-${index}` } };
    return {
      name: `update ${index}`,
      write: (link) => store.update(link._id, link.version, changes),
      expected: (link) => changed(link, changes as Partial<Link>),
    };
  }

  it("lets exactly one of 10 attachSide calls (each a company of its own) and 10 updates win on a half link, in each of 5 rounds; only the winner's company finds the link", async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const product: CustomerpRef = { type: 'Product', id: `p-attach-${round}` };
      const before = await companyLink(round, { customerp: product });
      const companyOf = (index: number): CrmofficeRef => ({
        type: 'Company',
        id: `co-attach-${round}-writer-${index}`,
      });
      const racers = Array.from({ length: WRITERS }, (_, index): Racer => {
        if (index >= 10) return updateOf(round, index);
        const ref = companyOf(index);
        return {
          name: `attach ${ref.id}`,
          write: (link) => store.attachSide(link._id, link.version, 'CRMOFFICE', ref),
          expected: (link) => changed(link, { crmoffice: ref, detached: false }),
        };
      });

      const { winner, losers } = await race(racers, before);

      expectAllStale(losers, before);
      expect(winner.link).toEqual(racers[winner.index]!.expected(before));
      expect(await store.findById(before._id)).toEqual(winner.link);
      // The unique side key follows the winner: its company finds the link, every other one is free.
      const companies = Array.from({ length: 10 }, (_, index) => companyOf(index));
      const holders = await store.findByRefs('CRMOFFICE', companies);
      expect(holders.map((holder) => holder?._id ?? null)).toEqual(
        companies.map((ref) => (winner.link.crmoffice?.id === ref.id ? before._id : null)),
      );
    }
  });

  it('lets exactly one of 10 detachSide calls (either side) and 10 updates win on a pair, in each of 5 rounds; only the detached record is free', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const product: CustomerpRef = { type: 'Product', id: `p-detach-${round}` };
      const company: CrmofficeRef = { type: 'Company', id: `co-detach-${round}` };
      const before = await companyLink(round, { customerp: product, crmoffice: company });
      const racers = Array.from({ length: WRITERS }, (_, index): Racer => {
        if (index >= 10) return updateOf(round, index);
        if (index % 2 === 0) {
          return {
            name: `detach Crmoffice ${index}`,
            write: (link) => store.detachSide(link._id, link.version, 'CRMOFFICE'),
            expected: (link) => changed(link, { crmoffice: null }),
          };
        }
        return {
          name: `detach Customerp ${index}`,
          write: (link) => store.detachSide(link._id, link.version, 'CUSTOMERP'),
          expected: (link) => changed(link, { customerp: null }),
        };
      });

      const { winner, losers } = await race(racers, before);

      expectAllStale(losers, before);
      expect(winner.link).toEqual(racers[winner.index]!.expected(before));
      expect(await store.findById(before._id)).toEqual(winner.link);
      // The link keeps at least one side, and the side keys follow the winner.
      expect(winner.link.customerp ?? winner.link.crmoffice).not.toBeNull();
      expect((await store.findByRef('CUSTOMERP', product))?._id ?? null).toBe(
        winner.link.customerp ? before._id : null,
      );
      expect((await store.findByRef('CRMOFFICE', company))?._id ?? null).toBe(
        winner.link.crmoffice ? before._id : null,
      );
    }
  });
});
