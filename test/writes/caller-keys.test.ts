import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import type { WriteResult } from '../../src/writes/index.js';
import { gql, listAll } from '../support/graphql.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * Idempotency keys belong to the caller that sent them: the same key from two callers names two
 * operations, and no client key can take the place of an internal one (resolveConflict's).
 */

const tick = () => new Promise((resolve) => setTimeout(resolve, 5)); // modification times must differ

let world: WriteWorld;

beforeAll(async () => {
  world = await startWriteWorld('write caller keys');
});

afterAll(() => world.close());

describe('idempotency keys per caller', () => {
  it('gives two callers sending one key two records, and each caller its own first answer (10 calls at once)', async () => {
    await world.world.systems.resetStats();
    // Two customers' clients that happen to pick the same key, each for its own company.
    const inputOf = (caller: string) => ({
      name: `Shared Key ${caller}`,
      code: `SKU-SHARED-${caller.slice(4).toUpperCase()}`,
      industry: 'Energy',
      idempotencyKey: 'same-key',
    });
    const callerOf = (i: number) => (i % 2 === 0 ? 'key:alice' : 'key:bob');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => world.writes.forCaller(callerOf(i)).createCompany(inputOf(callerOf(i)))),
    );

    expect(await world.upstreamWrites()).toEqual({ customerp: 2, crmoffice: 2 });
    const [alice, bob] = results as [WriteResult, WriteResult];
    expect(alice.linkId).not.toEqual(bob.linkId);
    results.forEach((result, i) => expect(result).toEqual(i % 2 === 0 ? alice : bob));
    const companies = await listAll<{ code: string }>(world.world.systems.crmofficeServer.url, 'companies', 'code');
    expect(
      companies
        .filter((c) => c.code.startsWith('SKU-SHARED-'))
        .map((c) => c.code)
        .sort(),
    ).toEqual(['SKU-SHARED-ALICE', 'SKU-SHARED-BOB']);
  });

  it("lets no client key squat resolveConflict's internal key: the operator's resolveConflict still applies", async () => {
    const [pair] = (await world.pairs('Contact', 'EMPLOYEE')) as [Link];
    await gql(
      world.world.systems.customerpServer.url,
      'mutation($id: ID!, $input: EmployeeUpdateInput!) { updateEmployee(id: $id, input: $input) { id } }',
      { id: pair.customerp?.id, input: { department: 'Squat Customerp' } },
    );
    await tick();
    await gql(
      world.world.systems.crmofficeServer.url,
      'mutation($id: ID!, $data: ContactUpdateInput!) { updateContact(id: $id, data: $data) { id } }',
      { id: pair.crmoffice?.id, data: { department: 'Squat Crmoffice' } },
    );
    await world.world.engine.runOnce(); // records the conflict
    const conflict = (await world.linkOf(pair._id)).conflicts.find((c) => c.field === 'department' && !c.resolvedAt);
    expect(conflict).toBeDefined();
    const internalKey = `resolveConflict:${pair._id}:${conflict?.id as string}`;

    // The squatting scenario of issue 13: a contacts-only key sends the internal key as its own,
    // whatever caller it claims to be (even one named like the internal namespace).
    for (const caller of ['key:squatter', 'internal', 'internal:resolveConflict']) {
      const squat = await world.writes.forCaller(caller).updateContact(encodeUnifiedId('Contact', pair._id), {
        title: `Squatter ${caller}`,
        idempotencyKey: internalKey,
      });
      expect(squat.writes.map((w) => w.state)).toEqual(['APPLIED', 'APPLIED']);
    }

    const resolved = await world.writes.resolveConflict(
      { linkId: pair._id, conflictId: conflict?.id as string },
      'CUSTOMERP',
    );
    expect(resolved).toMatchObject({ conflictId: conflict?.id, linkId: pair._id });
    expect(resolved.writes.map((w) => w.state)).toEqual(['APPLIED', 'APPLIED']);
    expect((await world.linkOf(pair._id)).conflicts.find((c) => c.id === conflict?.id)).toMatchObject({
      kept: 'CUSTOMERP',
      resolvedAt: expect.any(Date),
    });
    expect(await world.crmofficeRecord('Contact', pair.crmoffice?.id as string)).toMatchObject({
      department: 'Squat Customerp',
    });
  });
});
