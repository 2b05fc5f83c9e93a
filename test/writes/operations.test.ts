import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  backoffDelay,
  callerKey,
  LeaseLostError,
  OperationStore,
  operationIdOf,
  setupOperationIndexes,
  type IdempotencyKey,
  type OperationDocument,
  type SideProgress,
} from '../../src/writes/index.js';
import { blockerOf } from '../../src/writes/operations.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

/** The outbox's store on MongoDB: idempotency keys, guarded state changes, leases, archive, retention. */

const side = (): SideProgress => ({
  ref: null,
  write: 'PENDING',
  error: null,
  input: null,
  previous: null,
  sentAt: null,
  feedCursor: null,
});

/** The test's caller's idempotency key. */
const keyOf = (key: string) => callerKey('tester', key) as IdempotencyKey;

function operation(key: string | null, fields: Partial<OperationDocument> = {}): OperationDocument {
  const now = new Date();
  const _id = operationIdOf(key === null ? null : keyOf(key));
  return {
    _id,
    idempotencyKey: key,
    fingerprint: 'f1',
    mutation: 'updateCompany',
    kind: 'update',
    entity: 'Company',
    mapping: 'product-company',
    contactKind: null,
    linkId: 'link-1',
    values: { name: 'A' },
    conflict: null,
    state: 'RECORDED',
    customerp: side(),
    crmoffice: side(),
    attempts: 0,
    nextAttemptAt: now,
    lease: { owner: 'first', until: new Date(now.getTime() + 60_000) },
    lastError: null,
    failure: null,
    outcome: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    ...fields,
  };
}

let database: TestDatabase;
let store: OperationStore;

beforeAll(async () => {
  database = await testDatabase('operation store');
  await setupOperationIndexes(database.db);
  await setupOperationIndexes(database.db); // idempotent
  store = new OperationStore(database.db);
});

afterAll(() => database.drop());

describe('OperationStore', () => {
  it('records one operation per idempotency key: a second insert with the key gets the first', async () => {
    const first = operation('key-a');
    expect(await store.insert(first)).toEqual({ operation: first, created: true });
    expect(await store.insert(operation('key-a', { fingerprint: 'f2' }))).toEqual({ operation: first, created: false });
    expect(await store.findByKey(keyOf('key-a'))).toEqual(first);
    // Key-less operations never collide with each other.
    expect((await store.insert(operation(null))).created).toBe(true);
    expect((await store.insert(operation(null))).created).toBe(true);
  });

  it('moves an operation on only from the state it expects and only for the holder of its lease', async () => {
    const recorded = operation('key-b');
    await store.insert(recorded);
    await expect(
      store.advance({ _id: recorded._id, state: 'CUSTOMERP_DONE' }, 'first', 1000, { state: 'CRMOFFICE_DONE' }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await expect(store.advance(recorded, 'second', 1000, { state: 'CUSTOMERP_DONE' })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    const advanced = await store.advance(recorded, 'first', 1000, {
      state: 'CUSTOMERP_DONE',
      'customerp.write': 'APPLIED',
    });
    expect(advanced).toMatchObject({
      state: 'CUSTOMERP_DONE',
      customerp: { write: 'APPLIED' },
      lease: { owner: 'first' },
    });
    expect(advanced.lease.until.getTime()).toBeGreaterThan(Date.now());
  });

  it('parks an operation (lease given up, attempt counted), after which one other process may claim it', async () => {
    const recorded = operation('key-c');
    await store.insert(recorded);
    expect(await store.claim(recorded._id, 'worker', 1000)).toBeNull(); // leased by "first"
    const later = new Date(Date.now() + 60_000);
    const parked = await store.park(
      recorded,
      'first',
      later,
      { 'crmoffice.write': 'PENDING', lastError: 'down' },
      true,
    );
    expect(parked).toMatchObject({ attempts: 1, nextAttemptAt: later, lastError: 'down' });
    expect((await store.unfinished()).find((o) => o._id === recorded._id)).toEqual({
      _id: recorded._id,
      linkId: 'link-1',
      createdAt: recorded.createdAt,
      state: 'RECORDED',
      nextAttemptAt: later,
      lease: parked.lease,
    });
    const claimed = await store.claim(recorded._id, 'worker', 1000);
    expect(claimed?.lease.owner).toBe('worker');
    expect(await store.claim(recorded._id, 'another worker', 1000)).toBeNull();
  });

  it('lists the older unfinished operations of a link, and which of them a step must wait for', async () => {
    const base = Date.now() - 10_000;
    const oldest = operation('key-d1', { linkId: 'link-d', state: 'CUSTOMERP_DONE', createdAt: new Date(base) });
    const older = operation('key-d2', { linkId: 'link-d', state: 'RECORDED', createdAt: new Date(base + 1) });
    const mine = operation('key-d3', { linkId: 'link-d', createdAt: new Date(base + 2) });
    const newer = operation('key-d4', { linkId: 'link-d', createdAt: new Date(base + 3) });
    for (const o of [newer, mine, older, oldest]) await store.insert(o);
    const found = await store.olderOnLink(mine);
    expect(found.map((o) => o._id)).toEqual([oldest._id, older._id]);
    expect(blockerOf(found, 'CUSTOMERP')?._id).toBe(older._id);
    expect(blockerOf(found, 'CRMOFFICE')?._id).toBe(oldest._id);
    expect(await store.hasOtherUnfinished('link-d', mine._id)).toBe(true);
  });

  it('archives a finished operation out of the outbox; its key still answers, and inserting it again gets the finished one', async () => {
    const recorded = operation('key-e');
    await store.insert(recorded);
    const finished = await store.advance(recorded, 'first', 1000, { state: 'APPLIED', finishedAt: new Date() });
    await store.archive(finished);
    expect((await store.unfinished()).some((o) => o._id === recorded._id)).toBe(false);
    expect(await store.findByKey(keyOf('key-e'))).toEqual(finished);
    expect(await store.insert(operation('key-e', { lease: { owner: 'late', until: new Date() } }))).toEqual({
      operation: finished,
      created: false,
    });
    expect(await store.findByKey(keyOf('key-e'))).toEqual(finished);
  });

  it('deletes finished operations older than the retention, and only those', async () => {
    const now = Date.now();
    for (const [key, finishedAt] of [
      ['key-old', new Date(now - 25 * 3600_000)],
      ['key-new', new Date(now - 23 * 3600_000)],
    ] as const) {
      const recorded = operation(key);
      await store.insert(recorded);
      await store.archive(await store.advance(recorded, 'first', 1000, { state: 'APPLIED', finishedAt }));
    }
    expect(await store.deleteFinishedBefore(new Date(now - 24 * 3600_000))).toBe(1);
    expect(await store.findByKey(keyOf('key-old'))).toBeNull();
    expect((await store.findByKey(keyOf('key-new')))?.state).toBe('APPLIED');
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, with half of each delay random', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 30].map((attempt) => backoffDelay(attempt, options, undefined, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 30].map((attempt) => backoffDelay(attempt, options, undefined, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it("waits at least as long as the system's Retry-After, but never beyond the cap", () => {
    expect(backoffDelay(1, { baseDelayMs: 100, maxDelayMs: 5000 }, 2, () => 0)).toBe(2000);
    expect(backoffDelay(1, { baseDelayMs: 100, maxDelayMs: 1000 }, 30, () => 0)).toBe(1000);
  });
});
