import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import { syncReasonOf } from '../../src/reconcile/index.js';
import { parseSyncArguments } from '../../src/cli/sync-command.js';
import { feedNamed } from '../../src/sync/index.js';
import { gql } from '../support/graphql.js';
import { startSyncProcess } from '../support/sync-process.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

// The mass-delete guard holds deletes, never the feed: the operator scenario of issue #13 on the demo
// data (20 products, 26 company links), through the engine and the HeldDeletes service the mutation and the CLI share.

const PRODUCTS = feedNamed('CUSTOMERP', 'Product');

describe('held deletes', () => {
  let world: SyncWorld;
  let products: Link[];

  const deleteProduct = (link: Link) =>
    gql(world.systems.customerpServer.url, 'mutation($id: ID!) { deleteProduct(id: $id) }', { id: link.customerp?.id });
  const companiesInCrmoffice = async (links: readonly Link[]) =>
    world.systems.crmoffice.getMany(
      'Company',
      links.map((l) => l.crmoffice?.id as string),
    );
  const productFeed = (summary: Awaited<ReturnType<SyncWorld['engine']['runOnce']>>) =>
    summary.feeds.find((f) => f.feed === PRODUCTS.id);

  beforeAll(async () => {
    world = await startSyncWorld('held-deletes');
    await world.engine.runOnce();
    await world.engine.runOnce();
    products = (await world.linksOf('Company')).filter((l) => l.customerp && l.crmoffice);
  });

  afterAll(() => world.close());

  it('holds 7 deletes of 26 company links while an edit to another product still reaches Crmoffice', async () => {
    expect(await world.links.count({ entity: 'Company' })).toBe(26); // 20 products and 6 Crmoffice-only companies
    expect(products).toHaveLength(20);
    const victims = products.slice(0, 7);
    for (const link of victims) await deleteProduct(link);
    const edited = products[15] as Link;
    await gql(
      world.systems.customerpServer.url,
      'mutation($id: ID!) { updateProduct(id: $id, input: { name: "Held-deletes edit" }) { id } }',
      { id: edited.customerp?.id },
    );

    const first = await world.engine.runOnce();
    expect(productFeed(first)).toMatchObject({ blocked: null, held: 7, deleted: 0 });
    const second = await world.engine.runOnce();
    expect(productFeed(second)).toMatchObject({ blocked: null, held: 0, deleted: 0 });

    const [company] = await companiesInCrmoffice([edited]);
    expect(company).toMatchObject({ name: 'Held-deletes edit' });
    expect((await companiesInCrmoffice(victims)).every((c) => c !== null)).toBe(true);
    expect((await world.engine.heldDeletes.counts()).get(PRODUCTS.id)).toBe(7);
    const held = await world.links.findById(victims[0]!._id);
    expect(held).toMatchObject({ state: 'PENDING', deletedAt: null, heldDelete: { feed: PRODUCTS.id } });
    expect(syncReasonOf(held!)).toMatch(/^deleted in Customerp; the delete is held by the mass-delete guard/);
  });

  it('approve: the 7 companies are deleted in Crmoffice and their links marked deleted', async () => {
    const victims = products.slice(0, 7);
    expect(await world.engine.heldDeletes.approve(PRODUCTS)).toBe(7);
    expect(await companiesInCrmoffice(victims)).toEqual(victims.map(() => null));
    for (const link of victims)
      expect(await world.links.findById(link._id)).toMatchObject({ heldDelete: null, deletedAt: expect.any(Date) });
    expect((await world.engine.heldDeletes.counts()).get(PRODUCTS.id)).toBeUndefined();
  });

  it('discard on a second round: nothing is deleted on either side, the companies stay as records of their own, the feed moves on', async () => {
    // The window still counts the 7 approved deletes, so three more are held too (spread deletes add up).
    const victims = products.slice(7, 10);
    for (const link of victims) await deleteProduct(link);
    expect(productFeed(await world.engine.runOnce())).toMatchObject({ blocked: null, held: 3, deleted: 0 });

    expect(await world.engine.heldDeletes.discard(PRODUCTS)).toBe(3);
    expect((await companiesInCrmoffice(victims)).every((c) => c !== null)).toBe(true);
    for (const link of victims) {
      expect(await world.links.findById(link._id)).toMatchObject({
        customerp: null,
        crmoffice: link.crmoffice,
        heldDelete: null,
        deletedAt: null,
        state: 'IN_SYNC',
      });
    }
    const next = await world.engine.runOnce();
    expect(productFeed(next)).toMatchObject({ blocked: null, held: 0, deleted: 0 });
    expect((await world.engine.heldDeletes.counts()).get(PRODUCTS.id)).toBeUndefined();
    // The surviving companies are not given new Customerp products, nor deleted, on later passes.
    expect((await companiesInCrmoffice(victims)).every((c) => c !== null)).toBe(true);
    expect(
      await world.systems.customerp.getMany(
        'Product',
        victims.map((l) => l.customerp?.id as string),
      ),
    ).toEqual(victims.map(() => null));
  });

  it('is in operators’ hands from the CLI too: npm run sync -- approve-deletes customerp:PRODUCT', async () => {
    const victims = products.slice(10, 12);
    for (const link of victims) await deleteProduct(link);
    expect(productFeed(await world.engine.runOnce())).toMatchObject({ held: 2 });
    await world.engine.releaseLeases();
    const { exit } = startSyncProcess(
      {
        mongodbUri: process.env['MONGODB_URI'] as string,
        database: world.database.name,
        customerpUrl: world.systems.customerpServer.url,
        crmofficeUrl: world.systems.crmofficeServer.url,
        customerpToken: world.systems.tokens.customerp,
        crmofficeToken: world.systems.tokens.crmoffice,
      },
      ['approve-deletes', 'customerp:PRODUCT'],
    );
    const { code, stdout } = await exit;
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: 'customerp:PRODUCT: held deletes approved, 2 counterparts deleted\n',
    });
    expect(await companiesInCrmoffice(victims)).toEqual([null, null]);
  });

  it('reads its arguments strictly', () => {
    expect(parseSyncArguments(['discard-deletes', 'crmoffice', 'Company'])).toEqual({
      once: false,
      json: false,
      heldDeletes: { action: 'discard', system: 'CRMOFFICE', entity: 'Company' },
    });
    expect(parseSyncArguments(['approve-deletes', 'crmoffice:COMPANIES'])).toEqual({
      once: false,
      json: false,
      heldDeletes: { action: 'approve', feed: 'crmoffice:COMPANIES' },
    });
    expect(parseSyncArguments(['--once', '--json'])).toEqual({ once: true, json: true });
    for (const bad of [['approve-deletes', 'CUSTOMERP'], ['delete-everything'], ['approve-deletes', 'A', 'B', 'C']])
      expect(parseSyncArguments(bad)).toMatch(/^usage: npm run sync -- /);
  });
});
