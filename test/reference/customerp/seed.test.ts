import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'graphql-request';
import {
  ChangesDocument,
  ContactsPageDocument,
  EmployeesByIdsDocument,
  EmployeesPageDocument,
  ProductsByIdsDocument,
  ProductsPageDocument,
  ProjectsPageDocument,
  type ChangesQuery,
  type Entity,
} from '../../../src/generated/customerp-client.js';
import { DEMO_SIZE, demoSizeOf, demoWorld, type RunningReferenceServer } from '../../../src/reference/core/index.js';
import { SEEDED_AT, seededCustomerpId, startCustomerp } from '../../../src/reference/customerp/index.js';

type Paged = (
  url: string,
  first: number,
  after: string | null,
) => Promise<{ nodes: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>;

const pagers: Record<Entity, Paged> = {
  EMPLOYEE: async (url, first, after) => (await request(url, EmployeesPageDocument, { first, after })).employees,
  PRODUCT: async (url, first, after) => (await request(url, ProductsPageDocument, { first, after })).products,
  PROJECT: async (url, first, after) => (await request(url, ProjectsPageDocument, { first, after })).projects,
  CONTACT: async (url, first, after) => (await request(url, ContactsPageDocument, { first, after })).contacts,
};

/** Every record of an entity, in creation order. */
async function all<T>(url: string, entity: Entity): Promise<T[]> {
  const records: unknown[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await pagers[entity](url, 1000, after);
    records.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return records as T[];
    after = page.pageInfo.endCursor;
  }
}

/** The whole feed of an entity from its beginning. */
async function wholeFeed(
  url: string,
  entity: Entity,
): Promise<Array<{ id: string; op: string; version: number; at: string }>> {
  const items = [];
  let since: string | null = null;
  for (;;) {
    const { changes }: ChangesQuery = await request(url, ChangesDocument, { entity, since, first: 1000 });
    items.push(...changes.items);
    if (!changes.hasMore) return items;
    since = changes.cursor;
  }
}

const ENTITIES: Entity[] = ['EMPLOYEE', 'PRODUCT', 'PROJECT', 'CONTACT'];

describe('Customerp seed', () => {
  const world = demoWorld(DEMO_SIZE);
  let first: RunningReferenceServer;
  let second: RunningReferenceServer;

  beforeAll(async () => {
    [first, second] = await Promise.all([startCustomerp({ seed: 'demo' }), startCustomerp()]);
  });

  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('holds DEMO_SIZE records of each entity', async () => {
    const counts = await Promise.all(ENTITIES.map(async (entity) => (await all(first.url, entity)).length));
    expect(counts).toEqual([DEMO_SIZE.employees, DEMO_SIZE.products, DEMO_SIZE.projects, DEMO_SIZE.customerContacts]);
  });

  it("gives the demo world's records ids and numbers in world order", async () => {
    const [employee] = (await request(first.url, EmployeesByIdsDocument, { ids: [seededCustomerpId('EMPLOYEE', 4)] }))
      .employees.nodes;
    const source = world.employees[4]!;
    expect(employee).toEqual({
      id: 'emp-5',
      employeeNumber: 'E-00005',
      firstName: source.firstName,
      lastName: source.lastName,
      email: source.email,
      phone: source.phone,
      mobile: source.mobile,
      jobTitle: source.jobTitle,
      department: source.department,
      active: true,
      version: 1,
      updatedAt: SEEDED_AT,
    });
    const [product] = (await request(first.url, ProductsByIdsDocument, { ids: ['prd-3'] })).products.nodes;
    expect(product).toEqual({ id: 'prd-3', ...world.products[2], active: true, version: 1, updatedAt: SEEDED_AT });
  });

  it('seeds customer contacts with their customer and address', async () => {
    const contacts = await all<Record<string, unknown>>(first.url, 'CONTACT');
    expect(contacts[0]).toEqual({
      id: 'con-1',
      firstName: world.customerContacts[0]!.firstName,
      lastName: world.customerContacts[0]!.lastName,
      email: world.customerContacts[0]!.email,
      phone: world.customerContacts[0]!.phone,
      jobTitle: world.customerContacts[0]!.jobTitle,
      customerName: world.customerContacts[0]!.customerName,
      street: world.customerContacts[0]!.street,
      city: world.customerContacts[0]!.city,
      postalCode: world.customerContacts[0]!.postalCode,
      country: world.customerContacts[0]!.country,
      version: 1,
      updatedAt: SEEDED_AT,
    });
  });

  it('points each project at its world manager and product, which all exist', async () => {
    const projects = await all<{
      id: string;
      projectNumber: string;
      managerId: string | null;
      productId: string | null;
      startDate: string;
      endDate: string | null;
      status: string;
      name: string;
    }>(first.url, 'PROJECT');
    expect(
      projects.map((p) => [p.id, p.projectNumber, p.name, p.status, p.startDate, p.endDate, p.managerId, p.productId]),
    ).toEqual(
      world.projects.map((p, i) => [
        `prj-${i + 1}`,
        `P-${String(i + 1).padStart(5, '0')}`,
        p.name,
        p.status,
        p.startDate,
        p.endDate,
        `emp-${p.managerIndex + 1}`,
        `prd-${p.productIndex + 1}`,
      ]),
    );
    const managers = (
      await request(first.url, EmployeesByIdsDocument, { ids: projects.map((p) => p.managerId as string) })
    ).employees.nodes;
    const products = (
      await request(first.url, ProductsByIdsDocument, { ids: projects.map((p) => p.productId as string) })
    ).products.nodes;
    expect(managers.filter((m) => m === null)).toEqual([]);
    expect(products.filter((p) => p === null)).toEqual([]);
  });

  it('lists every seeded record in the feed once, as created at SEEDED_AT', async () => {
    for (const entity of ENTITIES) {
      const ids = (await all<{ id: string }>(first.url, entity)).map((r) => r.id);
      expect(await wholeFeed(first.url, entity)).toEqual(
        ids.map((id) => ({ id, op: 'UPSERT', version: 1, at: SEEDED_AT })),
      );
    }
  });

  it('is the same on every start, down to updatedAt', async () => {
    for (const entity of ENTITIES) {
      expect(await all(second.url, entity)).toEqual(await all(first.url, entity));
      expect(await wholeFeed(second.url, entity)).toEqual(await wholeFeed(first.url, entity));
    }
  });

  it('can start empty: no records, empty feeds', async () => {
    const empty = await startCustomerp({ seed: 'empty' });
    try {
      for (const entity of ENTITIES) {
        expect(await all(empty.url, entity)).toEqual([]);
        expect(await wholeFeed(empty.url, entity)).toEqual([]);
      }
    } finally {
      await empty.close();
    }
  });

  it('seeds about 100,000 records (over both systems) in a couple of seconds, and resets them as fast', async () => {
    const size = demoSizeOf(100_000);
    const started = performance.now();
    const big = await startCustomerp({ seed: size });
    const startMs = performance.now() - started;
    try {
      const counts = {
        EMPLOYEE: size.employees,
        PRODUCT: size.products,
        PROJECT: size.projects,
        CONTACT: size.customerContacts,
      };
      /** The last record of each entity is in its place, and nothing after it. */
      const lastRecords = () =>
        Promise.all(
          ENTITIES.map(async (entity) => {
            const { changes } = await request(big.url, ChangesDocument, { entity, since: String(counts[entity] - 1) });
            return { entity, ids: changes.items.map((c) => c.id), hasMore: changes.hasMore };
          }),
        );
      const expected = ENTITIES.map((entity) => ({
        entity,
        ids: [seededCustomerpId(entity, counts[entity] - 1)],
        hasMore: false,
      }));
      expect(await lastRecords()).toEqual(expected);
      const [lastEmployee, beyond] = (
        await request(big.url, EmployeesByIdsDocument, { ids: [`emp-${size.employees}`, `emp-${size.employees + 1}`] })
      ).employees.nodes;
      expect([lastEmployee?.employeeNumber, beyond]).toEqual([`E-${size.employees}`, null]);

      const resetStarted = performance.now();
      expect((await fetch(`${big.origin}/admin/reset`, { method: 'POST' })).status).toBe(200);
      const resetMs = performance.now() - resetStarted;

      expect(await lastRecords()).toEqual(expected);
      // About 1 s on an idle two-core machine, most of it building the demo world.
      expect(startMs).toBeLessThan(3000);
      expect(resetMs).toBeLessThan(3000);
    } finally {
      await big.close();
    }
  });
});
