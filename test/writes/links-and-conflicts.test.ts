import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import { gql } from '../support/graphql.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * linkRecords pairs two existing records (the first sync merges them), unlinkRecords separates a
 * pair, resolveConflict writes the kept side's value through to both systems and closes the conflict.
 * None of the first two writes a system; resolveConflict writes where the value differs.
 */

const SKIPPED = (reason: string) => [
  { system: 'CUSTOMERP', state: 'SKIPPED', error: reason },
  { system: 'CRMOFFICE', state: 'SKIPPED', error: reason },
];
const tick = () => new Promise((resolve) => setTimeout(resolve, 5)); // modification times must differ

let world: WriteWorld;

beforeAll(async () => {
  world = await startWriteWorld('write links and conflicts');
});

afterAll(() => world.close());

async function customerpCreate(mutation: string, input: Record<string, unknown>): Promise<string> {
  const data = await gql<Record<string, { id: string }>>(
    world.world.systems.customerpServer.url,
    `mutation($input: ${mutation.slice(6)}Input!) { created: ${mutation}(input: $input) { id } }`,
    { input },
  );
  return (data['created'] as { id: string }).id;
}

async function crmofficeCreate(mutation: string, data: Record<string, unknown>): Promise<string> {
  const answer = await gql<Record<string, { id: string }>>(
    world.world.systems.crmofficeServer.url,
    `mutation($data: ${mutation.slice(6)}Input!) { created: ${mutation}(data: $data) { id } }`,
    { data },
  );
  return (answer['created'] as { id: string }).id;
}

describe('WriteThrough.linkRecords', () => {
  it('links a Customerp product with a Crmoffice company, writing nothing; the first sync pass merges their values', async () => {
    const productId = await customerpCreate('createProduct', {
      sku: 'SKU-PAIR-1',
      name: 'Pair Product',
      category: 'Tools',
    });
    await tick();
    const companyId = await crmofficeCreate('createCompany', {
      code: 'CODE-PAIR-1',
      name: 'Pair Company',
      description: 'Known in the CRM',
    });
    await world.world.systems.resetStats();

    const result = await world.writes.linkRecords(
      { system: 'CUSTOMERP', type: 'Product', id: productId },
      { system: 'CRMOFFICE', type: 'Company', id: companyId },
    );
    expect(result.writes).toEqual(SKIPPED('nothing written: the next sync pass merges the two records'));
    expect(result.links).toHaveLength(1);
    expect(result.links[0]).toMatchObject({
      entity: 'Company',
      customerp: { type: 'Product', id: productId },
      crmoffice: { type: 'Company', id: companyId },
      snapshot: null,
      state: 'PENDING',
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });

    // Gaps are filled from the side that has a value; where both have one, the newer (Crmoffice) wins.
    expect(await world.syncWrites()).toEqual({ customerp: 1, crmoffice: 1 });
    const merged = { name: 'Pair Company', description: 'Known in the CRM' };
    expect(await world.customerpRecord('Product', productId)).toMatchObject({
      ...merged,
      sku: 'CODE-PAIR-1',
      category: 'Tools',
    });
    expect(await world.crmofficeRecord('Company', companyId)).toMatchObject({
      ...merged,
      code: 'CODE-PAIR-1',
      industry: 'Tools',
    });
    expect(await world.linkOf(result.links[0]?._id ?? null)).toMatchObject({ state: 'IN_SYNC' });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it("retires a Crmoffice-only record's own link when it is linked, keeping one record for the pair", async () => {
    const crmOnly = (await world.world.linksOf('Contact', 'CRM_ONLY')).find((l) => l.crmoffice && !l.customerp) as Link;
    const contactId = await customerpCreate('createContact', {
      firstName: 'Lea',
      lastName: 'Linked',
      email: 'lea.linked@example.org',
    });
    const result = await world.writes.linkRecords(
      { system: 'CUSTOMERP', type: 'Contact', id: contactId },
      { system: 'CRMOFFICE', type: 'Contact', id: crmOnly.crmoffice?.id as string },
    );
    expect(result.links[0]).toMatchObject({
      _id: crmOnly._id,
      kind: 'CUSTOMER_CONTACT',
      customerp: { type: 'Contact', id: contactId },
      crmoffice: crmOnly.crmoffice,
    });
    expect(await world.world.links.findByRef('CUSTOMERP', { type: 'Contact', id: contactId })).toMatchObject({
      _id: crmOnly._id,
    });

    await world.syncWrites();
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
    expect(await world.linkOf(crmOnly._id)).toMatchObject({ state: 'IN_SYNC', kind: 'CUSTOMER_CONTACT' });
  });

  it('answers an already linked pair with its link (a retry), writing nothing', async () => {
    const [pair] = (await world.pairs('Company')) as [Link];
    const result = await world.writes.linkRecords(
      { system: 'CUSTOMERP', type: 'Product', id: pair.customerp?.id as string },
      { system: 'CRMOFFICE', type: 'Company', id: pair.crmoffice?.id as string },
    );
    expect(result.links.map((l) => l._id)).toEqual([pair._id]);
  });
});

describe('WriteThrough.unlinkRecords', () => {
  it('separates a pair: the link keeps the Customerp record, the Crmoffice record gets a link of its own; nothing is written', async () => {
    const [pair] = (await world.pairs('Contact', 'EMPLOYEE')).slice(-1) as [Link];
    await world.world.systems.resetStats();
    const result = await world.writes.unlinkRecords(encodeUnifiedId('Contact', pair._id));
    expect(result.writes).toEqual(SKIPPED('nothing written: the records are no longer synchronized'));
    const [kept, detached] = result.links as [Link, Link];
    expect(kept).toMatchObject({
      _id: pair._id,
      customerp: pair.customerp,
      crmoffice: null,
      kind: 'EMPLOYEE',
      state: 'IN_SYNC',
    });
    expect(detached).toMatchObject({ customerp: null, crmoffice: pair.crmoffice, kind: 'CRM_ONLY', state: 'IN_SYNC' });
    expect(detached._id).not.toBe(pair._id);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it('stays unlinked: a later edit of the Customerp record is neither paired again by email nor copied to a new Crmoffice record', async () => {
    const [pair] = (await world.pairs('Contact', 'EMPLOYEE')).slice(-2) as [Link];
    const unlinkedId = encodeUnifiedId('Contact', pair._id);
    await world.writes.unlinkRecords(unlinkedId);
    await world.world.systems.resetStats();
    await gql(
      world.world.systems.customerpServer.url,
      'mutation($id: ID!, $input: EmployeeUpdateInput!) { updateEmployee(id: $id, input: $input) { id } }',
      {
        id: pair.customerp?.id,
        input: { jobTitle: 'Edited after unlinking' },
      },
    );
    await world.world.engine.runOnce();
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 0 });
    const kept = await world.linkOf(pair._id);
    expect(kept).toMatchObject({ customerp: pair.customerp, crmoffice: null, detached: true });
    const crmHolders = (await world.world.linksOf('Contact')).filter((l) => l.crmoffice?.id === pair.crmoffice?.id);
    expect(crmHolders).toEqual([expect.objectContaining({ customerp: null, kind: 'CRM_ONLY' })]);

    // linkRecords pairs them again, and then sync carries the edit over.
    const [customerpRef, crmofficeRef] = [
      pair.customerp as NonNullable<Link['customerp']>,
      pair.crmoffice as NonNullable<Link['crmoffice']>,
    ];
    await world.writes.linkRecords({ system: 'CUSTOMERP', ...customerpRef }, { system: 'CRMOFFICE', ...crmofficeRef });
    await world.world.engine.runOnce();
    expect(await world.linkOf(pair._id)).toMatchObject({ crmoffice: pair.crmoffice, detached: false });
  });

  it('refuses a record that is not linked to both systems', async () => {
    const crmOnly = (await world.world.linksOf('Company')).find((l) => !l.customerp) as Link;
    await expect(world.writes.unlinkRecords(encodeUnifiedId('Company', crmOnly._id))).rejects.toMatchObject({
      message: 'id names a record that is not linked to both systems',
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
  });
});

describe('WriteThrough.resolveConflict', () => {
  it("writes the kept side's value to both systems, closes the conflict, and answers a retry with the first answer", async () => {
    const [pair] = (await world.pairs('Contact', 'EMPLOYEE')) as [Link];
    await gql(
      world.world.systems.customerpServer.url,
      'mutation($id: ID!, $input: EmployeeUpdateInput!) { updateEmployee(id: $id, input: $input) { id } }',
      {
        id: pair.customerp?.id,
        input: { department: 'From Customerp' },
      },
    );
    await tick();
    await gql(
      world.world.systems.crmofficeServer.url,
      'mutation($id: ID!, $data: ContactUpdateInput!) { updateContact(id: $id, data: $data) { id } }',
      {
        id: pair.crmoffice?.id,
        data: { department: 'From Crmoffice' },
      },
    );
    await world.world.engine.runOnce(); // records the conflict and keeps the newer value (Crmoffice's)
    const conflicted = await world.linkOf(pair._id);
    const conflict = conflicted.conflicts.find((c) => c.field === 'department' && !c.resolvedAt);
    expect(conflict).toMatchObject({
      customerpValue: 'From Customerp',
      crmofficeValue: 'From Crmoffice',
      kept: 'CRMOFFICE',
    });
    expect(conflicted.state).toBe('CONFLICT');
    await world.world.engine.runOnce(); // the echo

    await world.world.systems.resetStats();
    const result = await world.writes.resolveConflict(
      { linkId: pair._id, conflictId: conflict?.id as string },
      'CUSTOMERP',
    );
    expect(result).toMatchObject({
      conflictId: conflict?.id,
      linkId: pair._id,
      writes: [
        { system: 'CUSTOMERP', state: 'APPLIED', error: null },
        { system: 'CRMOFFICE', state: 'APPLIED', error: null },
      ],
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 1 });
    expect(await world.customerpRecord('Employee', pair.customerp?.id as string)).toMatchObject({
      department: 'From Customerp',
    });
    expect(await world.crmofficeRecord('Contact', pair.crmoffice?.id as string)).toMatchObject({
      department: 'From Customerp',
    });
    const resolved = await world.linkOf(pair._id);
    expect(resolved.state).toBe('IN_SYNC');
    expect(resolved.conflicts.find((c) => c.id === conflict?.id)).toMatchObject({
      kept: 'CUSTOMERP',
      resolvedAt: expect.any(Date),
    });
    expect(resolved.snapshot).toMatchObject({ department: 'From Customerp' });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });

    await world.world.systems.resetStats();
    expect(
      await world.writes.resolveConflict({ linkId: pair._id, conflictId: conflict?.id as string }, 'CUSTOMERP'),
    ).toEqual(result);
    await expect(
      world.writes.resolveConflict({ linkId: pair._id, conflictId: conflict?.id as string }, 'CRMOFFICE'),
    ).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'keep' },
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});
