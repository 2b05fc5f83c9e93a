import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import type { CreateContactInput } from '../../src/generated/gateway-server.js';
import { OutboxWorker, type WriteResult } from '../../src/writes/index.js';
import { listAll } from '../support/graphql.js';
import { anonymousKey, startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * An idempotency key makes a retried mutation return the first answer and write nothing: also when
 * 50 calls with one key arrive at once. The same key with another input is a clear client error.
 * Keys are kept for the retention (24 hours) and freed after it.
 */

let world: WriteWorld;

beforeAll(async () => {
  world = await startWriteWorld('write idempotency');
});

afterAll(() => world.close());

async function badInput(promise: Promise<unknown>): Promise<{ message: string; extensions: unknown }> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  return { message: (error as GraphQLError).message, extensions: (error as GraphQLError).extensions };
}

describe('WriteThrough idempotency keys', () => {
  it('creates exactly one record per system for 50 concurrent calls with one key, and gives all of them the same answer', async () => {
    await world.world.systems.resetStats();
    const input = { name: 'Once Only GmbH', code: 'SKU-ONCE-1', industry: 'Energy', idempotencyKey: 'fifty-at-once' };
    const results = await Promise.all(Array.from({ length: 50 }, () => world.writes.createCompany({ ...input })));

    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 1 });
    const [first] = results as [WriteResult];
    expect(first.writes).toEqual([
      { system: 'CUSTOMERP', state: 'APPLIED', error: null },
      { system: 'CRMOFFICE', state: 'APPLIED', error: null },
    ]);
    expect(results).toEqual(results.map(() => first));
    expect((await world.allOperations()).filter((o) => o.idempotencyKey === 'fifty-at-once')).toHaveLength(1);
    const products = await listAll<{ sku: string }>(world.world.systems.customerpServer.url, 'products', 'sku');
    expect(products.filter((p) => p.sku === 'SKU-ONCE-1')).toHaveLength(1);
    const companies = await listAll<{ code: string }>(world.world.systems.crmofficeServer.url, 'companies', 'code');
    expect(companies.filter((c) => c.code === 'SKU-ONCE-1')).toHaveLength(1);
  });

  it('returns the first answer to a later retry, writing nothing', async () => {
    const input: CreateContactInput = {
      kind: 'CUSTOMER_CONTACT',
      firstName: 'Rita',
      lastName: 'Retry',
      email: 'rita.retry@example.org',
      idempotencyKey: 'retry-later',
    };
    const first = await world.writes.createContact(input);
    await world.world.systems.resetStats();
    expect(await world.writes.createContact({ ...input })).toEqual(first);
    // Key order and an explicit undefined are no different input.
    expect(
      await world.writes.createContact({
        idempotencyKey: 'retry-later',
        email: 'rita.retry@example.org',
        lastName: 'Retry',
        firstName: 'Rita',
        kind: 'CUSTOMER_CONTACT',
        phone: undefined,
      }),
    ).toEqual(first);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it('refuses the same key with a different input, or for another mutation, and writes nothing', async () => {
    await world.writes.createCompany({ name: 'Keyed Co', code: 'SKU-KEYED-1', idempotencyKey: 'one-input-only' });
    await world.world.systems.resetStats();
    const expected = {
      message: 'idempotencyKey was already used for a different request (createCompany with other input)',
      extensions: { code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
    };
    expect(
      await badInput(
        world.writes.createCompany({ name: 'Keyed Co', code: 'SKU-KEYED-2', idempotencyKey: 'one-input-only' }),
      ),
    ).toEqual(expected);
    expect(
      await badInput(
        world.writes.createContact({
          kind: 'EMPLOYEE',
          firstName: 'A',
          lastName: 'B',
          email: 'a.b@example.org',
          idempotencyKey: 'one-input-only',
        }),
      ),
    ).toEqual(expected);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it('answers a repeated delete with the first answer instead of NOT_FOUND', async () => {
    const created = await world.writes.createCompany({ name: 'Short Lived', code: 'SKU-GONE-1' });
    const first = await world.writes.deleteCompany(created.id as string, 'delete-once');
    await world.world.systems.resetStats();
    expect(await world.writes.deleteCompany(created.id as string, 'delete-once')).toEqual(first);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it('keeps keys for the retention and frees them after it', async () => {
    const dependencies = {
      db: world.world.database.db,
      customerp: world.world.systems.customerp,
      crmoffice: world.world.systems.crmoffice,
    };
    const input = { name: 'Kept A Day', code: 'SKU-KEPT-1', idempotencyKey: 'kept-a-day' };
    const first = await world.writes.createCompany(input);
    const hour = 60 * 60 * 1000;

    const dayLater = new OutboxWorker(dependencies, { retentionMs: 24 * hour });
    expect((await dayLater.runOnce(new Date(Date.now() + 23 * hour))).expired).toBe(0);
    await world.world.systems.resetStats();
    expect(await world.writes.createCompany(input)).toEqual(first);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });

    const afterRetention = new OutboxWorker(dependencies, { retentionMs: 24 * hour });
    expect((await afterRetention.runOnce(new Date(Date.now() + 25 * hour))).expired).toBeGreaterThanOrEqual(1);
    expect(await world.operations.findByKey(anonymousKey('kept-a-day'))).toBeNull();
    // The key is free again: the same request is a new mutation (Customerp refuses the sku it now has).
    await expect(world.writes.createCompany(input)).rejects.toMatchObject({
      extensions: { code: 'UPSTREAM_REJECTED', system: 'CUSTOMERP', field: 'code' },
    });
  });
});
