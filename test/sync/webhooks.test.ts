import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { webhookRouter } from '../../src/gateway/webhooks.js';
import { LinkStore, setupIndexes } from '../../src/links/index.js';
import { SyncEngine, SyncWorker, WEBHOOK_DELIVERIES_COLLECTION, WebhookReceiver } from '../../src/sync/index.js';
import { SIGNATURE_HEADER, signWebhook } from '../../src/webhook-signature.js';
import { outboxWriteOwnership } from '../../src/writes/index.js';
import { editRecord, pairsOf, readRecord, type Pair } from '../support/edits.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { freePort } from '../support/processes.js';
import { startSyncProcess, waitUntil } from '../support/sync-process.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';

const SECRET = 'whsec-test-0123456789abcdef';
const NOTIFICATION = JSON.stringify({
  system: 'CUSTOMERP',
  entity: 'EMPLOYEE',
  id: 'emp-3',
  op: 'UPSERT',
  version: 2,
  at: '2026-01-01T00:00:00.000Z',
});

/** `POST /webhooks/<system>` as the gateway mounts it, on a port of its own; counts the wakes it gave. */
async function startEndpoint(database: TestDatabase, wake: () => void) {
  const counted = { wakes: 0 };
  const receiver = new WebhookReceiver({
    db: database.db,
    secrets: { CUSTOMERP: SECRET, CRMOFFICE: SECRET },
    wake: () => {
      counted.wakes += 1;
      wake();
    },
  });
  const app = express();
  app.use(webhookRouter(receiver));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    counted,
    post: (signature: string | undefined, body = NOTIFICATION, system = 'customerp') =>
      fetch(`${origin}/webhooks/${system}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { [SIGNATURE_HEADER]: signature } : {}) },
        body,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Push from the systems (issue #15): a signed notification wakes the sync pass at once, a bad one
 * changes nothing, and polling stays the safety net when notifications are lost.
 */
describe('webhooks wake the sync worker', () => {
  let systems: TestSystems;
  let database: TestDatabase;
  let pairs: Pair[];
  let worker: SyncWorker | undefined;
  const closers: Array<() => Promise<void>> = [];

  const engine = (owner: string) =>
    new SyncEngine(
      {
        db: database.db,
        customerp: systems.customerp,
        crmoffice: systems.crmoffice,
        writeOwnership: outboxWriteOwnership(database.db),
      },
      { owner },
    );

  const subscribe = async (url: string) => {
    const response = await fetch(`${systems.customerpServer.origin}/admin/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${systems.tokens.customerp}` },
      body: JSON.stringify({ url, secret: SECRET }),
    });
    expect(response.status).toBe(201);
  };

  const titleIn = async (pair: Pair) => (await readRecord(systems.crmoffice, 'Contact', pair.crmoffice.id))['title'];

  beforeAll(async () => {
    systems = await startTestSystems();
    database = await testDatabase('webhooks');
    await setupIndexes(database.db);
    const first = engine('backfill');
    await first.runOnce();
    await first.runOnce();
    await first.releaseLeases();
    pairs = await pairsOf(new LinkStore(database.db), 'Contact', 'EMPLOYEE');
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    for (const subscription of systems.customerpServer.webhooks.list()) {
      systems.customerpServer.webhooks.remove(subscription.id);
    }
    for (const close of closers.splice(0)) await close();
  });

  afterAll(async () => {
    await systems.close();
    await database.drop();
  });

  it('with SYNC_INTERVAL_MS=60000, an edit made in Customerp reaches Crmoffice before the next poll', async () => {
    const pushed = new SyncWorker(engine('pushed'), { intervalMs: 60_000 });
    worker = pushed;
    const endpoint = await startEndpoint(database, () => pushed.wake());
    closers.push(endpoint.close);
    await subscribe(`${endpoint.origin}/webhooks/customerp`);
    pushed.start();
    await waitUntil(
      () => pushed.last !== undefined && pushed.phase.phase === 'waiting',
      30_000,
      () => pushed.phase.phase,
    );
    const firstPassEnded = Date.now(); // the next poll is due 60 s from here
    const pair = pairs[0] as Pair;
    await editRecord(systems.customerp, 'Employee', pair.customerp.id, { jobTitle: 'Pushed across' });

    // Only a wake can bring it before the minute is up.
    await waitUntil(
      async () => (await titleIn(pair)) === 'Pushed across',
      45_000,
      async () => `title is ${String(await titleIn(pair))}`,
    );
    expect(Date.now() - firstPassEnded).toBeLessThan(60_000);
    expect(endpoint.counted.wakes).toBeGreaterThanOrEqual(1);
  });

  it('refuses a bad signature, an old timestamp and a replay with 401, changing nothing', async () => {
    const endpoint = await startEndpoint(database, () => undefined);
    closers.push(endpoint.close);
    const deliveries = database.db.collection(WEBHOOK_DELIVERIES_COLLECTION);
    const now = Math.floor(Date.now() / 1000);
    const before = await deliveries.countDocuments();

    const forged = signWebhook('whsec-not-the-secret-000', NOTIFICATION, now);
    const tampered = signWebhook(SECRET, NOTIFICATION, now);
    const old = signWebhook(SECRET, NOTIFICATION, now - 301);
    const refused = await Promise.all([
      endpoint.post(forged),
      endpoint.post(tampered, NOTIFICATION.replace('emp-3', 'emp-4')),
      endpoint.post(old),
      endpoint.post(undefined),
      endpoint.post('t=1,v1=zz'),
    ]);
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect(endpoint.counted.wakes).toBe(0);
    expect(await deliveries.countDocuments()).toBe(before);

    // One valid delivery sent 10 at a time, to two endpoints sharing the database (two gateways):
    // accepted once, a replay everywhere else.
    const other = await startEndpoint(database, () => undefined);
    closers.push(other.close);
    const valid = signWebhook(SECRET, NOTIFICATION, now);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? endpoint : other).post(valid)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
    expect(endpoint.counted.wakes + other.counted.wakes).toBe(1);
    expect(await deliveries.countDocuments()).toBe(before + 1);
    expect((await endpoint.post(valid)).status).toBe(401);
    expect(endpoint.counted.wakes + other.counted.wakes).toBe(1);
  });

  it('loses no change while the receiver is down: the poll catches up', async () => {
    const polling = new SyncWorker(engine('polling'), { intervalMs: 1_000 });
    worker = polling;
    const endpoint = await startEndpoint(database, () => polling.wake());
    await subscribe(`${endpoint.origin}/webhooks/customerp`);
    await endpoint.close(); // the receiver is down: every delivery fails
    const abandonedBefore = systems.customerpServer.webhooks.counts().abandoned;
    polling.start();
    const edited = pairs.slice(1, 4);
    for (const [i, pair] of edited.entries()) {
      await editRecord(systems.customerp, 'Employee', pair.customerp.id, { jobTitle: `Polled ${i}` });
    }
    for (const [i, pair] of edited.entries()) {
      await waitUntil(
        async () => (await titleIn(pair)) === `Polled ${i}`,
        30_000,
        async () => `title of ${pair.customerp.id} is ${String(await titleIn(pair))}`,
      );
    }
    expect(endpoint.counted.wakes).toBe(0);
    // Every notification was given up on (6 attempts each, with backoff), and none of it mattered.
    await waitUntil(
      () => systems.customerpServer.webhooks.counts().abandoned === abandonedBefore + edited.length,
      30_000,
      () => JSON.stringify(systems.customerpServer.webhooks.counts()),
    );
  });

  it('npm run sync in a process of its own receives the webhooks on WEBHOOK_PORT and syncs before its 60 s poll', async () => {
    const port = await freePort();
    const sync = startSyncProcess(
      {
        mongodbUri: process.env['MONGODB_URI'] as string,
        database: database.name,
        customerpUrl: systems.customerpServer.url,
        crmofficeUrl: systems.crmofficeServer.url,
        customerpToken: systems.tokens.customerp,
        crmofficeToken: systems.tokens.crmoffice,
      },
      [],
      { SYNC_INTERVAL_MS: '60000', WEBHOOK_PORT: String(port), WEBHOOK_SECRET_CUSTOMERP: SECRET },
    );
    closers.push(async () => {
      sync.child.kill('SIGTERM');
      await sync.exit;
    });
    // Its endpoint is up once it refuses an unsigned delivery; its first pass has run once the feeds' leases are free again.
    await waitUntil(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/webhooks/customerp`, { method: 'POST' }).catch(() => null))?.status ===
        401,
      60_000,
      () => 'sync process serves no webhook endpoint',
    );
    await subscribe(`http://127.0.0.1:${port}/webhooks/customerp`);
    // The first edit may ride on the process's first pass; once it has arrived, that pass has read the
    // feed past it, so the second edit can only arrive by a wake before the 60 s poll.
    const [first, second] = [pairs[4] as Pair, pairs[5] as Pair];
    await editRecord(systems.customerp, 'Employee', first.customerp.id, { jobTitle: 'First to the worker process' });
    await waitUntil(
      async () => (await titleIn(first)) === 'First to the worker process',
      45_000,
      async () => `title is ${String(await titleIn(first))}`,
    );
    await editRecord(systems.customerp, 'Employee', second.customerp.id, { jobTitle: 'Pushed to the worker process' });
    const editedAt = Date.now();
    await waitUntil(
      async () => (await titleIn(second)) === 'Pushed to the worker process',
      45_000,
      async () => `title is ${String(await titleIn(second))}`,
    );
    expect(Date.now() - editedAt).toBeLessThan(60_000);
  }, 120_000);
});
