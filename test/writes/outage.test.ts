import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import type { WriteResult } from '../../src/writes/index.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * A system that cannot be reached never loses a write: the payload says PENDING for it, the
 * operation stays in the outbox, and the outbox worker applies it once the system is back — once.
 */

const fast = { backoff: { baseDelayMs: 40, maxDelayMs: 300 } };
let world: WriteWorld;

beforeAll(async () => {
  world = await startWriteWorld('write outage', { writeThrough: fast, retries: 0 });
});

afterAll(async () => {
  await world.world.systems.faults('customerp', {});
  await world.world.systems.faults('crmoffice', {});
  await world.close();
});

describe('WriteThrough with Crmoffice down', () => {
  it('answers Customerp APPLIED, Crmoffice PENDING to each of 100 updateContact calls, and after recovery every change reaches Crmoffice exactly once', async () => {
    const contacts = [
      ...(await world.pairs('Contact', 'EMPLOYEE')),
      ...(await world.pairs('Contact', 'CUSTOMER_CONTACT')),
    ].slice(0, 25);
    expect(contacts.length).toBe(25);
    const fields = ['title', 'phone', 'firstName', 'lastName'] as const;
    // Update i changes field i / 25 of contact i % 25: every change is a different field or record.
    const updates = Array.from({ length: 100 }, (_, i) => ({
      link: contacts[i % 25] as Link,
      field: fields[Math.floor(i / 25)] as string,
      value: `value ${i}`,
    }));

    await world.world.systems.faults('crmoffice', { outage: true });
    await world.world.systems.resetStats();
    const results: WriteResult[] = [];
    for (const { link, field, value } of updates) {
      results.push(await world.writes.updateContact(encodeUnifiedId('Contact', link._id), { [field]: value }));
    }
    expect(results.map((r) => r.writes.map((w) => `${w.system} ${w.state}`))).toEqual(
      updates.map(() => ['CUSTOMERP APPLIED', 'CRMOFFICE PENDING']),
    );
    expect(results.every((r) => typeof r.writes[1]?.error === 'string')).toBe(true);
    expect(await world.upstreamWrites()).toEqual({ customerp: 100, crmoffice: 0 });
    expect(await world.operations.countUnfinished()).toBe(100);
    expect(new Set((await Promise.all(contacts.map((l) => world.linkOf(l._id)))).map((l) => l.state))).toEqual(
      new Set(['PENDING']),
    );

    await world.world.systems.faults('crmoffice', {});
    await world.world.systems.resetStats();
    expect(await world.outbox.runUntilIdle(40_000)).toBe(0);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 100 });

    const crmTitle = { title: 'title', phone: 'phone', firstName: 'firstName', lastName: 'lastName' } as Record<
      string,
      string
    >;
    for (const [i, link] of contacts.entries()) {
      const expected = Object.fromEntries(fields.map((field, round) => [crmTitle[field], `value ${round * 25 + i}`]));
      expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toMatchObject(expected);
      expect((await world.linkOf(link._id)).state).toBe('IN_SYNC');
    }
    const operations = await world.allOperations();
    expect(operations.filter((o) => o.mutation === 'updateContact').map((o) => o.state)).toEqual(
      updates.map(() => 'APPLIED'),
    );
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

describe('WriteThrough with Customerp down', () => {
  it('records a create with both writes PENDING and no record yet; the outbox worker creates it once in each system', async () => {
    await world.world.systems.faults('customerp', { outage: true });
    await world.world.systems.resetStats();
    const result = await world.writes.createCompany({
      name: 'Later Ltd',
      code: 'SKU-LATER-1',
      idempotencyKey: 'later-1',
    });
    expect(result).toEqual({
      operationId: expect.any(String),
      entity: 'Company',
      linkId: null,
      id: null,
      writes: [
        { system: 'CUSTOMERP', state: 'PENDING', error: 'CUSTOMERP is unavailable: HTTP 503' },
        { system: 'CRMOFFICE', state: 'PENDING', error: null },
      ],
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });

    await world.world.systems.faults('customerp', {});
    expect(await world.outbox.runUntilIdle(20_000)).toBe(0);
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 1 });
    const operation = await world.operations.findById(result.operationId);
    expect(operation).toMatchObject({
      state: 'APPLIED',
      customerp: { write: 'APPLIED' },
      crmoffice: { write: 'APPLIED' },
    });
    const link = await world.linkOf(operation?.linkId ?? null);
    expect(await world.customerpRecord('Product', link.customerp?.id as string)).toMatchObject({
      sku: 'SKU-LATER-1',
      name: 'Later Ltd',
      active: true,
    });
    expect(await world.crmofficeRecord('Company', link.crmoffice?.id as string)).toMatchObject({
      code: 'SKU-LATER-1',
      name: 'Later Ltd',
      status: 'ACTIVE',
    });
    expect(link.state).toBe('IN_SYNC');

    // A retry with the key gets the first answer's writes (both PENDING), the record as it is now, and writes nothing.
    await world.world.systems.resetStats();
    expect(
      await world.writes.createCompany({ name: 'Later Ltd', code: 'SKU-LATER-1', idempotencyKey: 'later-1' }),
    ).toEqual({
      ...result,
      linkId: link._id,
      id: encodeUnifiedId('Company', link._id),
    });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

describe('WriteThrough with Crmoffice rate limiting', () => {
  it('leaves rate-limited writes PENDING and applies each of them once when the limit lifts', async () => {
    const contacts = (await world.pairs('Contact', 'EMPLOYEE')).slice(0, 5);
    await world.world.systems.resetStats();
    await world.world.systems.faults('crmoffice', { rateLimitPerSec: 1 });
    const results: WriteResult[] = [];
    for (const [i, link] of contacts.entries()) {
      results.push(
        await world.writes.updateContact(encodeUnifiedId('Contact', link._id), { department: `Limited ${i}` }),
      );
    }
    expect(results.map((r) => r.writes[0]?.state)).toEqual(contacts.map(() => 'APPLIED'));
    const pending = results.filter((r) => r.writes[1]?.state === 'PENDING');
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.some((r) => r.writes[1]?.error === 'CRMOFFICE is unavailable: rate limited (HTTP 429)')).toBe(true);

    await world.world.systems.faults('crmoffice', {});
    expect(await world.outbox.runUntilIdle(20_000)).toBe(0);
    expect(await world.upstreamWrites()).toEqual({ customerp: 5, crmoffice: 5 });
    for (const [i, link] of contacts.entries()) {
      expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toMatchObject({
        department: `Limited ${i}`,
      });
    }
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});
