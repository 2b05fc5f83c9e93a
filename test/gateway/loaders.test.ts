import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { UpstreamUnavailableError } from '../../src/errors.js';
import { createLinkLoaders, createRecordLoader, RequestOutages } from '../../src/gateway/loaders/index.js';
import { LinkStore, setupIndexes, type Link } from '../../src/links/index.js';
import { countCommands, type CommandCounter } from '../../src/mongo/index.js';
import { startTestSystems, type TestSystems } from '../support/systems.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// The per-request loaders against the reference systems over HTTP and MongoDB: exact batches.

let systems: TestSystems;
let mongo: TestDatabase;
let commands: CommandCounter;

beforeAll(async () => {
  [systems, mongo] = await Promise.all([
    startTestSystems({ retries: 0, timeoutMs: 1000 }),
    testDatabase('gateway loaders'),
  ]);
  await setupIndexes(mongo.db);
  commands = countCommands(mongo.client);
});

afterAll(async () => {
  commands.stop();
  await Promise.all([systems.close(), mongo.drop()]);
});

beforeEach(async () => {
  await systems.faults('customerp', {});
  await systems.resetStats();
  commands.reset();
});

describe('createRecordLoader', () => {
  it('reads every key of a tick in one bulk request per record type, in key order, null for unknown ids', async () => {
    const loader = createRecordLoader(systems.customerp, new RequestOutages());
    const records = await Promise.all([
      loader.load({ type: 'Employee', id: 'emp-2' }),
      loader.load({ type: 'Contact', id: 'con-1' }),
      loader.load({ type: 'Employee', id: 'emp-1' }),
      loader.load({ type: 'Employee', id: 'emp-999' }),
      loader.load({ type: 'Employee', id: 'emp-2' }),
    ]);
    expect(records.map((r) => r?.id ?? null)).toEqual(['emp-2', 'con-1', 'emp-1', null, 'emp-2']);
    await loader.load({ type: 'Employee', id: 'emp-1' }); // cached for the rest of the request
    const stats = await systems.stats();
    expect([stats.customerp.requests, stats.customerp.fields]).toEqual([2, { employees: 1, contacts: 1 }]);
  });

  it('gives each key the UpstreamUnavailableError of a system that is down, and does not ask it again', async () => {
    await systems.faults('customerp', { outage: true });
    const outages = new RequestOutages();
    const loader = createRecordLoader(systems.customerp, outages);
    const first = await Promise.allSettled([
      loader.load({ type: 'Employee', id: 'emp-1' }),
      loader.load({ type: 'Product', id: 'prd-1' }),
    ]);
    expect(
      first.map((r) => r.status === 'rejected' && r.reason instanceof UpstreamUnavailableError && r.reason.system),
    ).toEqual(['CUSTOMERP', 'CUSTOMERP']);
    expect(outages.of('CUSTOMERP')).toBeInstanceOf(UpstreamUnavailableError);
    await expect(loader.load({ type: 'Project', id: 'prj-1' })).rejects.toBe(outages.of('CUSTOMERP'));
    expect((await systems.stats()).customerp.rejected).toBe(2);
  });
});

describe('createLinkLoaders', () => {
  let links: Link[];

  beforeAll(async () => {
    const store = new LinkStore(mongo.db);
    const company = await store.create({
      entity: 'Company',
      customerp: { type: 'Product', id: 'prd-1' },
      crmoffice: { type: 'Company', id: 'co-1' },
    });
    links = [company];
    for (let i = 1; i <= 4; i++) {
      links.push(
        await store.create({
          entity: 'Contact',
          kind: 'EMPLOYEE',
          customerp: { type: 'Employee', id: `emp-${i}` },
          crmoffice: i % 2 ? { type: 'Contact', id: `c-${i}` } : null,
          keys: { companyId: i <= 3 ? company._id : null },
        }),
      );
    }
  });

  it('finds links by either side in one query, and then by id without another', async () => {
    const loaders = createLinkLoaders(new LinkStore(mongo.db));
    const found = await Promise.all([
      loaders.byRef.load({ system: 'CUSTOMERP', ref: { type: 'Employee', id: 'emp-2' } }),
      loaders.byRef.load({ system: 'CRMOFFICE', ref: { type: 'Contact', id: 'c-3' } }),
      loaders.byRef.load({ system: 'CRMOFFICE', ref: { type: 'Company', id: 'co-1' } }),
      loaders.byRef.load({ system: 'CRMOFFICE', ref: { type: 'Contact', id: 'c-2' } }),
    ]);
    expect(found.map((l) => l?._id ?? null)).toEqual([links[2]!._id, links[3]!._id, links[0]!._id, null]);
    expect(await loaders.byId.load(links[3]!._id)).toEqual(links[3]);
    expect(await loaders.byRef.load({ system: 'CUSTOMERP', ref: { type: 'Employee', id: 'emp-3' } })).toEqual(links[3]);
    expect(commands.names()).toEqual(['find']);
  });

  it("loads the children of many parents in one query, each parent's list in _id order", async () => {
    const loaders = createLinkLoaders(new LinkStore(mongo.db));
    const [ofCompany, ofNobody] = await Promise.all([
      loaders.children.load({ entity: 'Contact', key: 'companyId', parentId: links[0]!._id }),
      loaders.children.load({ entity: 'Contact', key: 'companyId', parentId: 'no-such-link' }),
    ]);
    expect(ofCompany.map((l) => l._id)).toEqual(
      links
        .slice(1, 4)
        .map((l) => l._id)
        .sort(),
    );
    expect(ofNobody).toEqual([]);
    expect(await loaders.byId.load(links[1]!._id)).toEqual(links[1]);
    expect(commands.names()).toEqual(['find']);
  });
});
