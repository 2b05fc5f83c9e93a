import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLClient } from 'graphql-request';
import { CreateEmployeeDocument, UpdateEmployeeDocument } from '../../../src/generated/customerp-client.js';
import { UpdateContactDocument } from '../../../src/generated/crmoffice-client.js';
import type { RunningReferenceServer } from '../../../src/reference/core/index.js';
import { startCrmoffice } from '../../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../../src/reference/customerp/index.js';
import { SIGNATURE_HEADER, verifyWebhook } from '../../../src/webhook-signature.js';

const TOKEN = 'reference-admin-token-0123456789';
const SECRET = 'whsec-0123456789abcdef';

interface Received {
  body: string;
  signature: string | undefined;
}

/** A subscriber that records what it is sent and answers `status()` (500 while failing). */
async function startReceiver(status: () => number = () => 200) {
  const received: Received[] = [];
  const attempts: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delivery = {
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers[SIGNATURE_HEADER] as string,
      };
      attempts.push(delivery);
      const code = status();
      if (code < 300) received.push(delivery);
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, attempts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(10);
}

const admin = (server: RunningReferenceServer, path: string, init: RequestInit = {}) =>
  fetch(`${server.origin}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
  });

describe('reference system webhooks', () => {
  let customerp: RunningReferenceServer;
  let crmoffice: RunningReferenceServer;
  const receivers: Array<{ close: () => Promise<void> }> = [];

  beforeAll(async () => {
    const webhookDelivery = { firstRetryMs: 20, attempts: 4 };
    customerp = await startCustomerp({ seed: 'demo', token: TOKEN, webhookDelivery });
    crmoffice = await startCrmoffice({ seed: 'demo', token: TOKEN, webhookDelivery });
  });
  afterEach(async () => {
    for (const server of [customerp, crmoffice]) {
      for (const subscription of server.webhooks.list()) server.webhooks.remove(subscription.id);
      await admin(server, '/admin/reset', { method: 'POST' });
    }
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await Promise.all([customerp.close(), crmoffice.close()]);
  });

  it('registers, lists without the secret, and removes subscribers, all behind the admin token', async () => {
    const unauthenticated = await fetch(`${customerp.origin}/admin/webhooks`, {
      method: 'POST',
      body: JSON.stringify({ url: 'http://127.0.0.1:9/x', secret: SECRET }),
    });
    expect(unauthenticated.status).toBe(401);
    expect(customerp.webhooks.list()).toEqual([]);

    const bad = await admin(customerp, '/admin/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: 'ftp://x', secret: 'short' }),
    });
    expect(bad.status).toBe(400);

    const created = await admin(customerp, '/admin/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: 'http://127.0.0.1:9/x', secret: SECRET }),
    });
    expect(created.status).toBe(201);
    const subscription = (await created.json()) as { id: string; url: string };
    const listed = await (await admin(customerp, '/admin/webhooks')).json();
    expect(listed).toEqual([{ id: subscription.id, url: 'http://127.0.0.1:9/x', createdAt: expect.any(String) }]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);

    expect((await admin(customerp, `/admin/webhooks/${subscription.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await admin(customerp, `/admin/webhooks/${subscription.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(customerp.webhooks.list()).toEqual([]);
  });

  it('POSTs one signed notification per change: Customerp with version, Crmoffice with etag', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    for (const server of [customerp, crmoffice]) {
      await admin(server, '/admin/webhooks', {
        method: 'POST',
        body: JSON.stringify({ url: receiver.url, secret: SECRET }),
      });
    }
    const erp = new GraphQLClient(customerp.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    const created = (
      await erp.request(CreateEmployeeDocument, {
        input: { firstName: 'Wendy', lastName: 'Hook', email: 'wendy.hook@example.com' },
      })
    ).createEmployee;
    await erp.request(UpdateEmployeeDocument, { id: created.id, input: { lastName: 'Hooks' }, expectedVersion: 1 });
    const crm = new GraphQLClient(crmoffice.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    const contact = (await crm.request(UpdateContactDocument, { id: 'c-1', data: { title: 'Webhook tester' } }))
      .updateContact;

    await until(() => receiver.received.length >= 3);
    await sleep(100); // nothing more arrives
    const bodies = receiver.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(bodies).toEqual(
      expect.arrayContaining([
        { system: 'CUSTOMERP', entity: 'EMPLOYEE', id: created.id, op: 'UPSERT', version: 1, at: expect.any(String) },
        { system: 'CUSTOMERP', entity: 'EMPLOYEE', id: created.id, op: 'UPSERT', version: 2, at: expect.any(String) },
        {
          system: 'CRMOFFICE',
          entity: 'CONTACTS',
          id: 'c-1',
          op: 'UPSERT',
          etag: contact.etag,
          at: expect.any(String),
        },
      ]),
    );
    expect(receiver.received).toHaveLength(3);
    const now = Math.floor(Date.now() / 1000);
    for (const delivery of receiver.received) {
      expect(verifyWebhook(SECRET, delivery.signature, delivery.body, now).ok).toBe(true);
    }
  });

  it('retries a failing subscriber with backoff until it answers, and the write itself never waits', async () => {
    let failuresLeft = 2;
    const receiver = await startReceiver(() => (failuresLeft-- > 0 ? 500 : 200));
    receivers.push(receiver);
    await admin(customerp, '/admin/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url, secret: SECRET }),
    });
    const before = customerp.webhooks.counts();
    const erp = new GraphQLClient(customerp.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    await erp.request(CreateEmployeeDocument, {
      input: { firstName: 'Retry', lastName: 'Me', email: 'retry.me@example.com' },
    });
    // The create was answered while every attempt is still to come or failing.
    await until(() => receiver.received.length === 1);
    expect(receiver.attempts).toHaveLength(3);
    expect(new Set(receiver.attempts.map((a) => a.body)).size).toBe(1);
    // The sender counts a delivery once it has read the answer, a moment after the receiver saw it.
    await until(() => customerp.webhooks.counts().delivered > before.delivered);
    expect(customerp.webhooks.counts()).toEqual({
      delivered: before.delivered + 1,
      retried: before.retried + 2,
      abandoned: before.abandoned,
    });
  });

  it('a subscriber that is down is given up after the last attempt; the change stays in the feed', async () => {
    const receiver = await startReceiver(() => 503);
    receivers.push(receiver);
    await admin(customerp, '/admin/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url, secret: SECRET }),
    });
    const before = customerp.webhooks.counts();
    const erp = new GraphQLClient(customerp.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    await erp.request(CreateEmployeeDocument, {
      input: { firstName: 'Down', lastName: 'Stream', email: 'down.stream@example.com' },
    });
    await until(() => customerp.webhooks.counts().abandoned === before.abandoned + 1);
    expect(receiver.attempts).toHaveLength(4);
  });
});
