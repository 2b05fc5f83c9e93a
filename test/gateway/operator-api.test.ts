import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import { gql } from '../support/graphql.js';
import { startGatewayWorld, type GatewayWorld } from './gateway-world.js';

// What an operator sees and does through the API (docs/operations.md): why records wait, held deletes
// per feed, approving them.

interface Waiting {
  nodes: { subject: string; sync: { state: string; reason: string | null } }[];
}
interface Feeds {
  syncStatus: { feeds: { system: string; entity: string; heldDeletes: number; blockedReason: string | null }[] };
}

describe('the operator API', () => {
  let w: GatewayWorld;

  beforeAll(async () => {
    w = await startGatewayWorld('operator api');
  });

  afterAll(() => w.close());

  const productFeed = async () =>
    (await w.data<Feeds>('{ syncStatus { feeds { system entity heldDeletes blockedReason } } }')).syncStatus.feeds.find(
      (f) => f.system === 'CUSTOMERP' && f.entity === 'Product',
    );

  it('says why the demo activities whose manager is the ambiguous contact wait', async () => {
    const { activities } = await w.data<{ activities: Waiting }>(
      '{ activities(filter: { syncState: PENDING }) { nodes { subject sync { state reason } } } }',
    );
    expect(activities.nodes).toHaveLength(2);
    for (const activity of activities.nodes) {
      const [, owner] =
        /^waiting for owner \(Contact (\S+)\) to get a Crmoffice record$/.exec(activity.sync.reason ?? '') ?? [];
      // The contact they wait for is the one whose identity match is ambiguous, and says so.
      const { contact } = await w.data<{ contact: { sync: { state: string; reason: string } } }>(
        'query($id: ID!) { contact(id: $id) { sync { state reason } } }',
        { id: owner },
      );
      expect(contact.sync).toEqual({
        state: 'CONFLICT',
        reason: 'several Crmoffice records match its identity key: link one with linkRecords',
      });
    }
    const inSync = await w.data<{ activities: Waiting }>(
      '{ activities(filter: { syncState: IN_SYNC }, first: 1) { nodes { subject sync { state reason } } } }',
    );
    expect(inSync.activities.nodes[0]?.sync.reason).toBeNull();
  });

  it('counts held deletes per feed, says so on the records, and releases them with approveHeldDeletes', async () => {
    const products = (await w.world.linksOf('Company')).filter((l) => l.customerp && l.crmoffice).slice(0, 7);
    for (const link of products)
      await gql(w.world.systems.customerpServer.url, 'mutation($id: ID!) { deleteProduct(id: $id) }', {
        id: link.customerp?.id,
      });
    await w.world.engine.runOnce();
    expect(await productFeed()).toMatchObject({ heldDeletes: 7, blockedReason: null });
    const { companies } = await w.data<{ companies: { nodes: { sync: { state: string; reason: string } }[] } }>(
      '{ companies(filter: { syncState: PENDING }, first: 50) { nodes { sync { state reason } } } }',
    );
    expect(companies.nodes.filter((c) => /held by the mass-delete guard/.test(c.sync.reason))).toHaveLength(7);

    const approved = await w.data<{ approveHeldDeletes: { heldDeletes: number; entity: string } }>(
      'mutation { approveHeldDeletes(system: CUSTOMERP, entity: "Product") { entity heldDeletes } }',
    );
    expect(approved.approveHeldDeletes).toEqual({ entity: 'Product', heldDeletes: 0 });
    const left = await w.world.systems.crmoffice.getMany(
      'Company',
      products.map((l: Link) => l.crmoffice?.id as string),
    );
    expect(left).toEqual(products.map(() => null));
  });

  it('refuses a feed that does not exist, naming the argument', async () => {
    const answer = await w.query(
      'mutation { discardHeldDeletes(system: CRMOFFICE, entity: "Widget") { heldDeletes } }',
    );
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'entity' });
    expect(answer.errors?.[0]?.message).toBe(
      'CRMOFFICE has no feed of Widget; expected one of Company, Contact, Activity',
    );
  });
});
