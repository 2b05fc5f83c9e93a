import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import type { CrmofficeRecord, CustomerpRecord } from '../../src/mappings/index.js';
import { CrmofficeApi, CustomerpApi, type CrmofficeType, type CustomerpType } from '../../src/upstreams/index.js';
import { WriteThrough } from '../../src/writes/index.js';
import { gql } from '../support/graphql.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * Concurrent edits are respected: an edit made directly in a system between the gateway's read of a
 * record and its write is not overwritten. The write carries the record's concurrency token, fails,
 * and is made again against the fresh record, so only the mutation's own fields change.
 */

/** Runs `hook` once, right after the next read of a record, as if someone edited it in between. */
class EditingCrmoffice extends CrmofficeApi {
  hook: (() => Promise<void>) | null = null;
  override async getMany(type: CrmofficeType, ids: readonly string[]): Promise<(CrmofficeRecord | null)[]> {
    const records = await super.getMany(type, ids);
    const hook = this.hook;
    this.hook = null;
    await hook?.();
    return records;
  }
}

class EditingCustomerp extends CustomerpApi {
  hook: (() => Promise<void>) | null = null;
  override async getMany(type: CustomerpType, ids: readonly string[]): Promise<(CustomerpRecord | null)[]> {
    const records = await super.getMany(type, ids);
    const hook = this.hook;
    this.hook = null;
    await hook?.();
    return records;
  }
}

let world: WriteWorld;
let crmoffice: EditingCrmoffice;
let customerp: EditingCustomerp;
let writes: WriteThrough;
let contacts: Link[];

beforeAll(async () => {
  world = await startWriteWorld('write concurrency');
  crmoffice = new EditingCrmoffice(world.world.systems.crmoffice.client);
  customerp = new EditingCustomerp(world.world.systems.customerp.client);
  writes = new WriteThrough({ db: world.world.database.db, customerp, crmoffice });
  contacts = await world.pairs('Contact', 'CUSTOMER_CONTACT');
});

afterAll(() => world.close());

describe('WriteThrough and edits made meanwhile', () => {
  it('does not overwrite an edit made directly in Crmoffice between its read and its write', async () => {
    const link = contacts[0] as Link;
    const before = await world.customerpRecord('Contact', link.customerp?.id as string);
    await world.world.systems.resetStats();
    crmoffice.hook = async () => {
      await gql(
        world.world.systems.crmofficeServer.url,
        'mutation($id: ID!, $data: ContactUpdateInput!) { updateContact(id: $id, data: $data) { id } }',
        {
          id: link.crmoffice?.id,
          data: { title: 'Edited in Crmoffice', address: { city: 'Edited City' } },
        },
      );
    };

    const result = await writes.updateContact(encodeUnifiedId('Contact', link._id), {
      address: { street: '7 Written Way' },
    });
    expect(result.writes).toEqual([
      { system: 'CUSTOMERP', state: 'APPLIED', error: null },
      { system: 'CRMOFFICE', state: 'APPLIED', error: null },
    ]);
    // Crmoffice: the direct edit, our write refused for its stale etag, and our write again.
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 3 });
    expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toMatchObject({
      title: 'Edited in Crmoffice',
      address: {
        street: '7 Written Way',
        city: 'Edited City',
        postalCode: before?.['postalCode'],
        country: before?.['country'],
      },
    });
    expect(await world.customerpRecord('Contact', link.customerp?.id as string)).toEqual({
      ...before,
      street: '7 Written Way',
    });

    // The direct edit is a change like any other for the sync engine: it reaches Customerp, no conflict.
    expect(await world.syncWrites()).toEqual({ customerp: 1, crmoffice: 0 });
    expect(await world.customerpRecord('Contact', link.customerp?.id as string)).toEqual({
      ...before,
      street: '7 Written Way',
      city: 'Edited City',
      jobTitle: 'Edited in Crmoffice',
    });
    expect(await world.linkOf(link._id)).toMatchObject({ state: 'IN_SYNC', conflicts: [] });
  });

  it('does not overwrite an edit made directly in Customerp between its read and its write', async () => {
    const link = contacts[1] as Link;
    const before = await world.customerpRecord('Contact', link.customerp?.id as string);
    await world.world.systems.resetStats();
    customerp.hook = async () => {
      await gql(
        world.world.systems.customerpServer.url,
        'mutation($id: ID!, $input: ContactUpdateInput!) { updateContact(id: $id, input: $input) { id } }',
        {
          id: link.customerp?.id,
          input: { phone: '+49 30 0000000' },
        },
      );
    };

    const result = await writes.updateContact(encodeUnifiedId('Contact', link._id), { title: 'Written Title' });
    expect(result.writes.map((w) => w.state)).toEqual(['APPLIED', 'APPLIED']);
    // Customerp: the direct edit, our write refused for its stale version, and our write again.
    expect(await world.upstreamWrites()).toEqual({ customerp: 3, crmoffice: 1 });
    expect(await world.customerpRecord('Contact', link.customerp?.id as string)).toEqual({
      ...before,
      phone: '+49 30 0000000',
      jobTitle: 'Written Title',
    });

    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 1 });
    expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toMatchObject({
      phone: '+49 30 0000000',
      title: 'Written Title',
    });
    expect(await world.linkOf(link._id)).toMatchObject({ state: 'IN_SYNC', conflicts: [] });
  });
});
