import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DemoSize } from '../../src/reference/core/index.js';
import type { CrmofficeContact, CustomerpEmployee } from '../../src/mappings/index.js';
import { startGatewayWorld, type GatewayWorld } from './gateway-world.js';

// A world where every employee is linked on both sides, belongs to a company (linked to a product)
// and manages a project (linked to an activity), so that any page of employees touches every record
// type: the request counts below are then the same for every page size.

const SIZE: DemoSize = {
  employees: 60,
  customerContacts: 0,
  products: 4,
  projects: 0,
  crmOnlyContacts: 0,
  crmOnlyCompanies: 0,
  crmOnlyActivities: 0,
};

let w: GatewayWorld;

beforeAll(async () => {
  w = await startGatewayWorld('batching', { seed: SIZE });
  const { customerp, crmoffice } = w.world.systems;
  const contacts = await w.world.linksOf('Contact', 'EMPLOYEE');
  const companies = await w.world.linksOf('Company');
  const linked = contacts.filter((link) => link.customerp && link.crmoffice);
  const crmContacts = (await crmoffice.getMany(
    'Contact',
    linked.map((l) => l.crmoffice!.id),
  )) as CrmofficeContact[];
  await Promise.all(
    linked.map(async (link, i) => {
      const company = companies[i % companies.length]!;
      await customerp.create('Project', {
        name: `Rollout ${i + 1}`,
        startDate: '2025-05-01',
        managerId: link.customerp!.id,
        productId: company.customerp!.id,
      });
      await crmoffice.update('Contact', link.crmoffice!.id, { companyId: company.crmoffice!.id }, crmContacts[i]!.etag);
    }),
  );
  await w.world.engine.runOnce();
});

afterAll(async () => {
  await w.close();
});

const PAGE = `query Page($first: Int!) {
  contacts(filter: { kind: EMPLOYEE, syncState: IN_SYNC }, first: $first) {
    totalCount
    nodes {
      id fullName email
      customerp { ... on CustomerpEmployee { id email } }
      crmoffice { id email companyId }
      company {
        id name
        customerp { id sku }
        crmoffice { id code }
        contacts(first: 3) { totalCount nodes { id } }
      }
      activities {
        totalCount
        nodes { id subject status owner { id } company { id } customerp { id managerId } crmoffice { id ownerContactId } }
      }
    }
  }
}`;

interface PageData {
  contacts: {
    totalCount: number;
    nodes: { id: string; company: { id: string } | null; activities: { nodes: { owner: { id: string } | null }[] } }[];
  };
}

/** Runs the page query and returns its answer with the upstream requests and MongoDB commands it cost. */
async function measure(first: number) {
  await w.world.systems.resetStats();
  w.mongo.reset();
  const data = await w.data<PageData>(PAGE, { first });
  const stats = await w.world.systems.stats();
  return {
    data,
    customerp: { requests: stats.customerp.requests, fields: stats.customerp.fields },
    crmoffice: { requests: stats.crmoffice.requests, fields: stats.crmoffice.fields },
    mongo: w.mongo.names().sort(),
  };
}

describe('batching of a contacts page with company, activities and both sides', () => {
  it('costs one bulk read per system and record type, and one MongoDB query per level, for 5 contacts', async () => {
    const { data, ...cost } = await measure(5);
    expect(data.contacts.nodes).toHaveLength(5);
    expect(data.contacts.nodes.every((c) => c.company !== null && c.activities.nodes.length > 0)).toBe(true);
    expect(data.contacts.nodes.every((c) => c.activities.nodes.every((a) => a.owner?.id === c.id))).toBe(true);
    expect({ customerp: cost.customerp, crmoffice: cost.crmoffice }).toEqual({
      customerp: { requests: 3, fields: { employees: 1, products: 1, projects: 1 } },
      crmoffice: { requests: 3, fields: { contacts: 1, companies: 1, activities: 1 } },
    });
    // page, totalCount, the contacts' activities, the companies by Crmoffice id, the companies'
    // contacts, and the links that the activities' references name (both systems in one query) —
    // that last one only when some of them are not already loaded, which depends on which contacts
    // the page holds (pages follow link ids, random per test world).
    expect(cost.mongo).toEqual(expect.arrayContaining(['aggregate', 'find', 'find', 'find', 'find']));
    expect(cost.mongo.length).toBeLessThanOrEqual(6);
  });

  it('costs exactly the same for 50 contacts', async () => {
    const five = await measure(5);
    const fifty = await measure(50);
    expect(fifty.data.contacts.nodes).toHaveLength(50);
    expect(fifty.data.contacts.nodes.every((c) => c.company !== null && c.activities.nodes.length > 0)).toBe(true);
    // Upstream: exactly the same requests. MongoDB: the same bounded set of one query per level (the
    // reference lookup is skipped when every link it needs is already loaded, see above).
    expect({ customerp: fifty.customerp, crmoffice: fifty.crmoffice }).toEqual({
      customerp: five.customerp,
      crmoffice: five.crmoffice,
    });
    expect(fifty.mongo.length).toBeLessThanOrEqual(6);
    expect(fifty.mongo.slice(0, 5)).toEqual(five.mongo.slice(0, 5));
  });

  it('costs exactly two MongoDB commands and two requests per system for a page of 100 with both sides and company', async () => {
    // The scale issue's page: no activities, so no reference lookup whose batching could depend on timing.
    const query = `query Page($first: Int!) {
      contacts(filter: { kind: EMPLOYEE, syncState: IN_SYNC }, first: $first) {
        nodes {
          id fullName email
          customerp { ... on CustomerpEmployee { id email } }
          crmoffice { id email companyId }
          company { id name customerp { id sku } crmoffice { id code } }
        }
      }
    }`;
    await w.world.systems.resetStats();
    w.mongo.reset();
    const data = await w.data<{ contacts: { nodes: { company: { id: string } | null }[] } }>(query, { first: 100 });
    const stats = await w.world.systems.stats();
    expect(data.contacts.nodes.length).toBeGreaterThan(50);
    expect(data.contacts.nodes.every((contact) => contact.company !== null)).toBe(true);
    // The links page, then the companies' links by their Crmoffice ids: one query per level.
    expect(w.mongo.names()).toEqual(['find', 'find']);
    expect({ customerp: stats.customerp.fields, crmoffice: stats.crmoffice.fields }).toEqual({
      customerp: { employees: 1, products: 1 },
      crmoffice: { contacts: 1, companies: 1 },
    });
    expect([stats.customerp.requests, stats.crmoffice.requests]).toEqual([2, 2]);
  });

  it('costs one request per system for 50 records read by id in one query', async () => {
    const links = (await w.world.linksOf('Contact', 'EMPLOYEE')).filter((l) => l.customerp && l.crmoffice).slice(0, 50);
    const ids = links.map((l) => Buffer.from(`Contact:${l._id}`).toString('base64url'));
    await w.world.systems.resetStats();
    w.mongo.reset();
    const fields = ids.map(
      (_, i) =>
        `c${i}: contact(id: $i${i}) { email customerp { ... on CustomerpEmployee { email } } crmoffice { email } }`,
    );
    const data = await w.data<
      Record<string, { email: string; customerp: { email: string }; crmoffice: { email: string } }>
    >(
      `query(${ids.map((_, i) => `$i${i}: ID!`).join(', ')}) { ${fields.join(' ')} }`,
      Object.fromEntries(ids.map((id, i) => [`i${i}`, id])),
    );
    const employees = (await w.world.systems.customerp.getMany(
      'Employee',
      links.map((l) => l.customerp!.id),
    )) as CustomerpEmployee[];
    expect(Object.values(data).map((c) => c.customerp.email)).toEqual(employees.map((e) => e.email));
    const stats = await w.world.systems.stats();
    // The getMany above is the test's own request, after the gateway's.
    expect([stats.customerp.requests - 1, stats.crmoffice.requests, w.mongo.names()]).toEqual([1, 1, ['find']]);
  });
});
