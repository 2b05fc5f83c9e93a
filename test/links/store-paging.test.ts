import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  LinkStore,
  setupIndexes,
  type Link,
  type LinkEntity,
  type LinkFilter,
  type LinkKind,
  type LinkPage,
  type LinkState,
  type NewLink,
} from '../../src/links/index.js';
import { countCommands } from '../../src/mongo/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { emailKeyOf } from '../../src/mappings/index.js';

// Read-only tests over one seeded data set (seeded once: the store's write tests are in store.test.ts).

let mongo: TestDatabase;
let store: LinkStore;

describe('LinkStore.page and count', () => {
  const KINDS: LinkKind[] = ['EMPLOYEE', 'CUSTOMER_CONTACT', 'CRM_ONLY'];
  const STATES: LinkState[] = ['IN_SYNC', 'PENDING', 'CONFLICT', 'ERROR'];
  const SURNAMES = ['Smith', 'Jones', 'Brown'];

  /** 30 contacts, 10 companies, 12 activities with varied keys; every 10th contact deleted. */
  function seedLinks(): NewLink[] {
    const contacts = Array.from({ length: 30 }, (_, i): NewLink => {
      const kind = KINDS[i % 3]!;
      return {
        entity: 'Contact',
        kind,
        customerp: kind === 'CRM_ONLY' ? null : { type: kind === 'EMPLOYEE' ? 'Employee' : 'Contact', id: `cp-${i}` },
        crmoffice: i % 5 === 0 && kind !== 'CRM_ONLY' ? null : { type: 'Contact', id: `co-${i}` },
        keys: {
          email: `Person${i}@Example.com`,
          name: `Person ${i} ${SURNAMES[i % 3]}`,
          companyId: i % 4 === 0 ? null : `company-${i % 4}`,
        },
        state: STATES[i % 4]!,
      };
    });
    const companies = Array.from({ length: 10 }, (_, i): NewLink => ({
      entity: 'Company',
      customerp: { type: 'Product', id: `p-${i}` },
      crmoffice: { type: 'Company', id: `c-${i}` },
      keys: {
        name: i === 3 ? 'A+B Ltd' : i === 4 ? 'AAB Ltd' : `Company ${i}${i % 2 ? ' Ltd' : ''}`,
        code: `SKU-${i}`,
        status: i % 3 ? 'ACTIVE' : 'INACTIVE',
      },
    }));
    const activities = Array.from({ length: 12 }, (_, i): NewLink => ({
      entity: 'Activity',
      customerp: { type: 'Project', id: `pr-${i}` },
      keys: {
        name: `Project ${i}`,
        status: i % 2 ? 'DONE' : 'OPEN',
        ownerId: `owner-${i % 3}`,
        companyId: `company-${Math.floor(i / 6)}`,
      },
    }));
    return [...contacts, ...companies, ...activities];
  }

  let links: Link[];

  beforeAll(async () => {
    mongo = await testDatabase('links paging');
    await setupIndexes(mongo.db);
    store = new LinkStore(mongo.db);
    links = await Promise.all(
      seedLinks().map(async (fields, i) => {
        const link = await store.create(fields);
        return fields.entity === 'Contact' && i % 10 === 9
          ? store.update(link._id, 1, { deletedAt: new Date() })
          : link;
      }),
    );
  });

  afterAll(async () => {
    await mongo.drop();
  });

  /** Every link of `entity` matching `filter`, page by page; also returns the pages. */
  async function pageAll(
    entity: LinkEntity,
    filter: LinkFilter,
    first: number,
  ): Promise<{ ids: string[]; pages: LinkPage[] }> {
    const pages: LinkPage[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await store.page({ entity, filter, first, after });
      pages.push(page);
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    return { ids: pages.flatMap((page) => page.links.map((link) => link._id)), pages };
  }

  const sortedIds = (matching: Link[]): string[] => matching.map((link) => link._id).sort();
  const live = (link: Link): boolean => link.deletedAt === null;

  it('visits every live link of an entity exactly once, in _id order, with a constant totalCount', async () => {
    const expected = sortedIds(links.filter((link) => link.entity === 'Contact' && live(link)));
    expect(expected).toHaveLength(27);
    const { ids, pages } = await pageAll('Contact', {}, 4);
    expect(ids).toEqual(expected);
    expect(pages.map((page) => page.links.length)).toEqual([4, 4, 4, 4, 4, 4, 3]);
    expect(pages.map((page) => page.totalCount)).toEqual(Array(7).fill(27));
    expect(pages.map((page) => page.hasNextPage)).toEqual([true, true, true, true, true, true, false]);
  });

  it('costs two commands per page: the page and the count', async () => {
    const counter = countCommands(mongo.client);
    await store.page({ entity: 'Company', first: 3 });
    counter.stop();
    expect(counter.names().sort()).toEqual(['aggregate', 'find']);
  });

  it('answers first: 0 with no links, whether more exist, and the total', async () => {
    expect(await store.page({ entity: 'Activity', first: 0 })).toEqual({
      links: [],
      hasNextPage: true,
      endCursor: null,
      totalCount: 12,
    });
    await expect(store.page({ entity: 'Activity', first: -1 })).rejects.toThrow('first must be an integer ≥ 0, got -1');
  });

  const cases: [string, LinkEntity, LinkFilter, (link: Link) => boolean][] = [
    ['kind', 'Contact', { kind: 'EMPLOYEE' }, (l) => l.kind === 'EMPLOYEE'],
    [
      'email, case-insensitively',
      'Contact',
      { email: 'PERSON7@example.COM' },
      (l) => l.keys['email'] === emailKeyOf('person7@example.com'),
    ],
    [
      'nameContains, case-insensitively',
      'Contact',
      { nameContains: 'sMiTh' },
      (l) => l.keys['name']!.endsWith('Smith'),
    ],
    [
      'nameContains, taken literally (no regex)',
      'Company',
      { nameContains: 'a+b' },
      (l) => l.keys['name'] === 'A+B Ltd',
    ],
    ['nameContains on a suffix', 'Company', { nameContains: ' LTD' }, (l) => l.keys['name']!.endsWith(' Ltd')],
    ['companyId', 'Contact', { companyId: 'company-1' }, (l) => l.keys['companyId'] === 'company-1'],
    ['state', 'Contact', { state: 'CONFLICT' }, (l) => l.state === 'CONFLICT'],
    [
      'kind and state together',
      'Contact',
      { kind: 'CUSTOMER_CONTACT', state: 'PENDING' },
      (l) => l.kind === 'CUSTOMER_CONTACT' && l.state === 'PENDING',
    ],
    ['code', 'Company', { code: 'SKU-3' }, (l) => l.keys['code'] === 'SKU-3'],
    ['status', 'Company', { status: 'INACTIVE' }, (l) => l.keys['status'] === 'INACTIVE'],
    ['ownerId', 'Activity', { ownerId: 'owner-1' }, (l) => l.keys['ownerId'] === 'owner-1'],
    [
      'companyId and status',
      'Activity',
      { companyId: 'company-0', status: 'DONE' },
      (l) => l.keys['companyId'] === 'company-0' && l.keys['status'] === 'DONE',
    ],
    ['null fields as no filter', 'Contact', { kind: null, email: null, state: null }, () => true],
  ];

  it.each(cases)(
    'filters by %s: exactly the matching links, over all pages and in count()',
    async (_, entity, filter, matches) => {
      const expected = sortedIds(links.filter((link) => link.entity === entity && live(link) && matches(link)));
      expect(expected.length).toBeGreaterThan(0);
      const { ids, pages } = await pageAll(entity, filter, 2);
      expect(ids).toEqual(expected);
      expect(pages[0]!.totalCount).toBe(expected.length);
      expect(await store.count({ entity, ...filter })).toBe(expected.length);
    },
  );

  it('includes deleted links only when asked', async () => {
    const all = sortedIds(links.filter((link) => link.entity === 'Contact'));
    expect((await pageAll('Contact', { includeDeleted: true }, 50)).ids).toEqual(all);
    expect(await store.count({ includeDeleted: true })).toBe(52);
    expect(await store.count()).toBe(49);
  });
});
