import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import type { ContractAdapter, ContractChange, ContractErrorInfo, EntityAdapter } from './contract-adapter.js';

/**
 * The specification both reference systems meet (docs/design.md, "Reference system APIs" and "Ports,
 * settings, admin"), run over HTTP against one started server per system. Tests within an entity
 * are independent of each other's leftovers: each measures the feed and the record set just before
 * it acts, and compares just after.
 */
export function runContractSuite(adapter: ContractAdapter): void {
  describe(`${adapter.name} reference system contract`, () => {
    let server: RunningReferenceServer;
    let url: string;
    /** Ids of each entity right after start, to compare `/admin/reset` against. */
    const seededIds = new Map<string, string[]>();
    /** Makes every created record distinct (unique e-mails, skus, codes). */
    let serial = 0;
    const next = (): number => ++serial;

    beforeAll(async () => {
      server = await adapter.start();
      url = server.url;
      for (const entity of adapter.entities) seededIds.set(entity.name, await walk(entity, url, 1000));
    });

    afterAll(async () => {
      await server.close();
    });

    for (const entity of adapter.entities) {
      describe(entity.name, () => {
        it('pages through every record exactly once with small pages, in a stable order', async () => {
          const small = await walk(entity, url, 7);
          const large = await walk(entity, url, 1000);
          expect(new Set(small).size).toBe(small.length);
          expect(small).toEqual(large);
          expect(small.length).toBeGreaterThan(7);
          if (entity.seededCount !== undefined) expect(small.length).toBe(entity.seededCount);
        });

        it('answers an empty last page after the end cursor', async () => {
          const all = await walk(entity, url, 1000);
          const last = await entity.page(url, all.length, null);
          expect(last.ids).toEqual(all);
          expect(last.hasNextPage).toBe(false);
          expect(last.endCursor).not.toBeNull();
          expect(await entity.page(url, 5, last.endCursor)).toEqual({
            ids: [],
            hasNextPage: false,
            endCursor: last.endCursor,
          });
        });

        it('visits records created after a page was read on the next page', async () => {
          const all = await walk(entity, url, 1000);
          const first = await entity.page(url, all.length, null);
          const created = await entity.create(url, entity.validInput(next()));
          const rest = await entity.page(url, 10, first.endCursor);
          expect(rest.ids).toEqual([created.id]);
          expect(rest.hasNextPage).toBe(false);
        });

        it('reads many records in one request, in the order asked, with null for unknown and deleted ids', async () => {
          const [a, b, c] = (await entity.page(url, 3, null)).ids as [string, string, string];
          const gone = await entity.create(url, entity.validInput(next()));
          expect(await entity.remove(url, gone.id, gone.token)).toBe(true);

          const records = await entity.getMany(url, [c, 'no-such-record', a, gone.id, b, c]);

          expect(records.map((r) => r?.id ?? null)).toEqual([c, null, a, null, b, c]);
          expect(records[5]).toEqual(records[0]);
          for (const record of [records[0], records[2], records[4]]) {
            expect(typeof record?.token).toBe('string');
            expect(record?.fields).toEqual(expect.any(Object));
          }
        });

        it('creates, updates and deletes a record, each answer carrying a new token', async () => {
          const n = next();
          const input = entity.validInput(n);
          const created = await entity.create(url, input);
          expect(created.fields).toMatchObject(input);
          expect(await entity.getMany(url, [created.id])).toEqual([created]);

          const patch = entity.updateInput(n);
          const updated = await entity.update(url, created.id, patch, created.token);
          expect(updated.id).toBe(created.id);
          expect(updated.token).not.toBe(created.token);
          expect(updated.fields).toMatchObject({ ...input, ...patch });
          expect(await entity.getMany(url, [created.id])).toEqual([updated]);

          expect(await entity.remove(url, created.id, updated.token)).toBe(true);
          expect(await entity.getMany(url, [created.id])).toEqual([null]);
        });

        it('applies an update that carries no token (last writer wins)', async () => {
          const n = next();
          const created = await entity.create(url, entity.validInput(n));
          const updated = await entity.update(url, created.id, entity.updateInput(n), null);
          expect(updated.fields).toMatchObject(entity.updateInput(n));
          expect(updated.token).not.toBe(created.token);
        });

        it('records each create, update and delete in the change feed, in order, once', async () => {
          const start = await feedEnd(entity, url);
          const n = next();
          const a = await entity.create(url, entity.validInput(n));
          const a2 = await entity.update(url, a.id, entity.updateInput(n), a.token);
          const b = await entity.create(url, entity.validInput(next()));
          await entity.remove(url, a.id, a2.token);
          await entity.remove(url, b.id, b.token);

          const { items } = await readFeed(entity, url, start);

          expect(items).toEqual([
            { id: a.id, op: 'UPSERT' },
            { id: a.id, op: 'UPSERT' },
            { id: b.id, op: 'UPSERT' },
            { id: a.id, op: 'DELETE' },
            { id: b.id, op: 'DELETE' },
          ]);
        });

        it('reads the feed in pages with hasMore, and a cursor can be read again', async () => {
          const start = await feedEnd(entity, url);
          const made = [];
          for (let i = 0; i < 3; i++) made.push(await entity.create(url, entity.validInput(next())));
          const upserts = made.map((r) => ({ id: r.id, op: 'UPSERT' }));

          const first = await entity.changes(url, start, 2);
          expect({ items: first.items.map(changeOf), hasMore: first.hasMore }).toEqual({
            items: upserts.slice(0, 2),
            hasMore: true,
          });
          const second = await entity.changes(url, first.cursor, 2);
          expect({ items: second.items.map(changeOf), hasMore: second.hasMore }).toEqual({
            items: upserts.slice(2),
            hasMore: false,
          });
          const third = await entity.changes(url, second.cursor, 2);
          expect({ items: third.items, hasMore: third.hasMore }).toEqual({ items: [], hasMore: false });

          // At-least-once readers re-read from the cursor they kept.
          const again = await entity.changes(url, start, 10);
          expect({ items: again.items.map(changeOf), hasMore: again.hasMore }).toEqual({
            items: upserts,
            hasMore: false,
          });

          // A cursor at the end picks up what happens later.
          const later = await entity.create(url, entity.validInput(next()));
          const fromEnd = await entity.changes(url, third.cursor, 10);
          expect(fromEnd.items.map(changeOf)).toEqual([{ id: later.id, op: 'UPSERT' }]);
        });

        it('visits every current record when the feed is read from the beginning', async () => {
          const ids = await walk(entity, url, 1000);
          const { items } = await readFeed(entity, url, null);
          const upserted = new Set(items.filter((c) => c.op === 'UPSERT').map((c) => c.id));
          expect(ids.filter((id) => !upserted.has(id))).toEqual([]);
        });

        it(`rejects an update with a stale token with ${adapter.staleTokenCode} and changes nothing`, async () => {
          const n = next();
          const created = await entity.create(url, entity.validInput(n));
          const updated = await entity.update(url, created.id, entity.updateInput(n), created.token);
          const start = await feedEnd(entity, url);

          const failure = await failureOf(entity.update(url, created.id, entity.updateInput(next()), created.token));

          expect(pickCode(failure)).toEqual({ code: adapter.staleTokenCode });
          expect(await entity.getMany(url, [created.id])).toEqual([updated]);
          expect((await readFeed(entity, url, start)).items).toEqual([]);
        });

        it(`rejects a delete with a stale token with ${adapter.staleTokenCode} and keeps the record`, async () => {
          const n = next();
          const created = await entity.create(url, entity.validInput(n));
          const updated = await entity.update(url, created.id, entity.updateInput(n), created.token);
          const start = await feedEnd(entity, url);

          const failure = await failureOf(entity.remove(url, created.id, created.token));

          expect(pickCode(failure)).toEqual({ code: adapter.staleTokenCode });
          expect(await entity.getMany(url, [created.id])).toEqual([updated]);
          expect((await readFeed(entity, url, start)).items).toEqual([]);
        });

        for (const invalid of entity.invalidInputs()) {
          it(`rejects a create with ${invalid.why}: BAD_USER_INPUT naming ${invalid.field}, nothing written`, async () => {
            const before = await walk(entity, url, 1000);
            const start = await feedEnd(entity, url);

            const failure = await failureOf(entity.create(url, invalid.input));

            expect(pickCodeAndField(failure)).toEqual({ code: 'BAD_USER_INPUT', field: invalid.field });
            expect(await walk(entity, url, 1000)).toEqual(before);
            expect((await readFeed(entity, url, start)).items).toEqual([]);
          });
        }

        for (const invalid of entity.invalidUpdates?.() ?? []) {
          it(`rejects an update with ${invalid.why}: BAD_USER_INPUT naming ${invalid.field}, nothing written`, async () => {
            const created = await entity.create(url, entity.validInput(next()));
            const start = await feedEnd(entity, url);

            const failure = await failureOf(entity.update(url, created.id, invalid.input, created.token));

            expect(pickCodeAndField(failure)).toEqual({ code: 'BAD_USER_INPUT', field: invalid.field });
            expect(await entity.getMany(url, [created.id])).toEqual([created]);
            expect((await readFeed(entity, url, start)).items).toEqual([]);
          });
        }
      });
    }

    describe('admin endpoints', () => {
      const probe = { query: adapter.statsProbe?.query ?? '{ __typename }' };

      afterEach(async () => {
        await postJson(`${server.origin}/admin/faults`, {});
      });

      it('answers 503 during an outage and 200 again once faults are cleared', async () => {
        expect((await postJson(`${server.origin}/admin/faults`, { outage: true })).status).toBe(200);
        const down = await postJson(url, probe);
        expect(down.status).toBe(503);
        expect(await down.json()).toEqual({ errors: [expect.objectContaining({ message: expect.any(String) })] });

        expect((await postJson(`${server.origin}/admin/faults`, {})).status).toBe(200);
        expect((await postJson(url, probe)).status).toBe(200);
      });

      it('answers 500 to every request at errorRate 1', async () => {
        await postJson(`${server.origin}/admin/faults`, { errorRate: 1 });
        const statuses = [];
        for (let i = 0; i < 3; i++) statuses.push((await postJson(url, probe)).status);
        expect(statuses).toEqual([500, 500, 500]);
      });

      it('answers 429 with Retry-After to the third request in a second at rateLimitPerSec 2', async () => {
        await postJson(`${server.origin}/admin/faults`, { rateLimitPerSec: 2 });
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push(await postJson(url, probe));
        expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
        expect(Number(answers[2]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(answers[0]?.headers.get('retry-after')).toBeNull();
      });

      it('delays every request by latencyMs', async () => {
        await postJson(`${server.origin}/admin/faults`, { latencyMs: 150 });
        const started = performance.now();
        const answer = await postJson(url, probe);
        const took = performance.now() - started;
        expect(answer.status).toBe(200);
        // Timers may fire a fraction of a millisecond early against performance.now().
        expect(took).toBeGreaterThanOrEqual(149);
      });

      it('counts exactly the GraphQL requests served and the root fields they resolved', async () => {
        expect((await postJson(`${server.origin}/admin/stats/reset`, {})).status).toBe(200);
        for (let i = 0; i < 3; i++) expect((await postJson(url, probe)).status).toBe(200);
        await postJson(`${server.origin}/admin/faults`, { outage: true });
        expect((await postJson(url, probe)).status).toBe(503);

        const stats = await (await fetch(`${server.origin}/admin/stats`)).json();

        const fields = Object.fromEntries(
          Object.entries(adapter.statsProbe?.fields ?? {}).map(([name, n]) => [name, n * 3]),
        );
        expect(stats).toEqual({ requests: 3, rejected: 1, fields });
      });

      it('restores the seeded records on /admin/reset, undoing creates', async () => {
        const [entity] = adapter.entities as [EntityAdapter];
        const created = await entity.create(url, entity.validInput(next()));
        expect(await walk(entity, url, 1000)).toContain(created.id);

        expect((await postJson(`${server.origin}/admin/reset`, {})).status).toBe(200);

        for (const each of adapter.entities) expect(await walk(each, url, 1000)).toEqual(seededIds.get(each.name));
        expect(await entity.getMany(url, [created.id])).toEqual([null]);
      });
    });
  });
}

/** Every id of an entity, page by page. */
async function walk(entity: EntityAdapter, url: string, first: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await entity.page(url, first, after);
    ids.push(...page.ids);
    if (!page.hasNextPage) return ids;
    if (page.ids.length === 0) throw new Error(`${entity.name}: empty page with hasNextPage`);
    after = page.endCursor;
  }
  throw new Error(`${entity.name}: paging did not end`);
}

/** Reads the feed from `since` to its end. */
async function readFeed(
  entity: EntityAdapter,
  url: string,
  since: string | null,
): Promise<{ items: ContractChange[]; cursor: string }> {
  const items: ContractChange[] = [];
  let cursor = since;
  for (let reads = 0; reads < 10_000; reads++) {
    const feed = await entity.changes(url, cursor, 1000);
    items.push(...feed.items.map(changeOf));
    cursor = feed.cursor;
    if (!feed.hasMore) return { items, cursor };
  }
  throw new Error(`${entity.name}: the change feed did not end`);
}

/** The cursor of the feed's current end. */
async function feedEnd(entity: EntityAdapter, url: string): Promise<string> {
  return (await readFeed(entity, url, null)).cursor;
}

/** Only what the contract specifies of a change; adapters may report more. */
function changeOf(change: ContractChange): ContractChange {
  return { id: change.id, op: change.op };
}

/** The error a call failed with; fails the test when the call succeeded. */
async function failureOf(call: Promise<unknown>): Promise<ContractErrorInfo> {
  let outcome: unknown;
  try {
    outcome = await call;
  } catch (error) {
    return error as ContractErrorInfo;
  }
  throw new Error(`expected the call to fail, it answered ${JSON.stringify(outcome)}`);
}

function pickCode(error: ContractErrorInfo): { code: string | undefined } {
  return { code: error.code };
}

function pickCodeAndField(error: ContractErrorInfo): { code: string | undefined; field: string | undefined } {
  return { code: error.code, field: error.field };
}

function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
