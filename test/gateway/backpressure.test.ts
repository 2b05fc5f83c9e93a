import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { Metrics } from '../../src/observability/metrics.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

// Backpressure instead of errors (issue #12): 50 page reads at once against a gateway whose MongoDB
// pool has 5 connections and which runs 5 requests at once with 10 waiting. Customerp answers slowly
// (200 ms), so the burst is far more than the gateway can take: the rest must be turned away with 503
// and Retry-After, and no admitted request may fail a field.

const PAGE =
  '{ contacts(first: 50) { nodes { id fullName company { name } customerp { __typename } crmoffice { id } } } }';

describe('a burst larger than the pools', () => {
  let world: SyncWorld;
  let client: MongoClient;
  let gateway: RunningGateway;
  const metrics = new Metrics();

  beforeAll(async () => {
    world = await startSyncWorld('backpressure');
    await world.engine.runOnce();
    client = await new MongoClient(process.env['MONGODB_URI'] as string, { maxPoolSize: 5 }).connect();
    gateway = await startGateway({
      dependencies: {
        db: client.db(world.database.name),
        customerp: world.systems.customerp.client,
        crmoffice: world.systems.crmoffice.client,
      },
      mode: 'test',
      metrics,
      admission: { maxConcurrent: 5, maxQueued: 10 },
    });
    await world.systems.faults('customerp', { latencyMs: 200 });
  });

  afterAll(async () => {
    await gateway?.close();
    await client?.close();
    await world?.close();
  });

  it('answers every request 200 with all its fields, or 503 with Retry-After, and counts what it shed', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: PAGE }),
        });
        const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
      }),
    );
    const served = answers.filter((a) => a.status === 200);
    const shed = answers.filter((a) => a.status === 503);
    expect(served.length + shed.length).toBe(50);
    // At least what can run and wait got in; the 200 ms upstream makes the rest wait longer than the burst.
    expect(served.length).toBeGreaterThanOrEqual(15);
    expect(shed.length).toBeGreaterThan(0);
    for (const answer of served) expect(answer.body.errors).toBeUndefined();
    for (const answer of shed) {
      expect(answer.retryAfter).toBe('1');
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
    const exposition = await metrics.render();
    expect(exposition).toContain(`gateway_requests_shed_total ${shed.length}`);
  });
});
