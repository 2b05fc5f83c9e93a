import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import { gql } from '../support/graphql.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

/**
 * For each of the four dataflows: an edit made directly in one system reaches the other with every
 * mapped field, in exactly one write, and the echo of that write causes nothing.
 */

type Fields = Record<string, unknown>;

interface FlowCase {
  flow: string;
  entity: 'Contact' | 'Company' | 'Activity';
  kind?: 'EMPLOYEE' | 'CUSTOMER_CONTACT';
  /** Customerp's update mutation for this type and its result field. */
  customerpUpdate: string;
  customerpRead: string;
  crmofficeUpdate: string;
  crmofficeRead: string;
  customerpEdit: (world: SyncWorld) => Promise<{ input: Fields; expectInCrmoffice: Fields }>;
  crmofficeEdit: (world: SyncWorld) => Promise<{ data: Fields; expectInCustomerp: Fields }>;
}

const CRM_CONTACT =
  'id firstName lastName email phone mobilePhone title department contactType companyId address { street city postalCode country } active';

const cases: FlowCase[] = [
  {
    flow: 'Employee → Contact',
    entity: 'Contact',
    kind: 'EMPLOYEE',
    customerpUpdate:
      'mutation($id: ID!, $input: EmployeeUpdateInput!) { updateEmployee(id: $id, input: $input) { id } }',
    customerpRead:
      'query($id: ID!) { record: employee(id: $id) { id firstName lastName email phone mobile jobTitle department active } }',
    crmofficeUpdate: 'mutation($id: ID!, $data: ContactUpdateInput!) { updateContact(id: $id, data: $data) { id } }',
    crmofficeRead: `query($id: ID!) { record: contact(id: $id) { ${CRM_CONTACT} } }`,
    customerpEdit: async () => ({
      input: {
        firstName: 'Ana',
        lastName: 'Berg',
        email: 'ana.berg@example.org',
        phone: '+1 555 0100',
        mobile: '+1 555 0101',
        jobTitle: 'CTO',
        department: 'Board',
        active: false,
      },
      expectInCrmoffice: {
        firstName: 'Ana',
        lastName: 'Berg',
        email: 'ana.berg@example.org',
        phone: '+1 555 0100',
        mobilePhone: '+1 555 0101',
        title: 'CTO',
        department: 'Board',
        active: false,
        contactType: 'EMPLOYEE',
      },
    }),
    crmofficeEdit: async () => ({
      data: {
        firstName: 'Bo',
        lastName: 'Chen',
        email: 'bo.chen@example.org',
        phone: '+1 555 0200',
        mobilePhone: '+1 555 0201',
        title: 'CFO',
        department: 'Finance',
        active: true,
      },
      expectInCustomerp: {
        firstName: 'Bo',
        lastName: 'Chen',
        email: 'bo.chen@example.org',
        phone: '+1 555 0200',
        mobile: '+1 555 0201',
        jobTitle: 'CFO',
        department: 'Finance',
        active: true,
      },
    }),
  },
  {
    flow: 'Contact → Contact',
    entity: 'Contact',
    kind: 'CUSTOMER_CONTACT',
    customerpUpdate: 'mutation($id: ID!, $input: ContactUpdateInput!) { updateContact(id: $id, input: $input) { id } }',
    customerpRead:
      'query($id: ID!) { record: contact(id: $id) { id firstName lastName email phone jobTitle street city postalCode country } }',
    crmofficeUpdate: 'mutation($id: ID!, $data: ContactUpdateInput!) { updateContact(id: $id, data: $data) { id } }',
    crmofficeRead: `query($id: ID!) { record: contact(id: $id) { ${CRM_CONTACT} } }`,
    customerpEdit: async () => ({
      input: {
        firstName: 'Cy',
        lastName: 'Dunn',
        email: 'cy.dunn@example.org',
        phone: '+44 20 7946 0000',
        jobTitle: 'Buyer',
        street: '1 Quay St',
        city: 'Leeds',
        postalCode: 'LS1 1AA',
        country: 'GB',
      },
      expectInCrmoffice: {
        firstName: 'Cy',
        lastName: 'Dunn',
        email: 'cy.dunn@example.org',
        phone: '+44 20 7946 0000',
        title: 'Buyer',
        contactType: 'CUSTOMER',
        address: { street: '1 Quay St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
      },
    }),
    crmofficeEdit: async () => ({
      data: {
        firstName: 'Di',
        lastName: 'Eve',
        email: 'di.eve@example.org',
        phone: '+33 1 00 00 00 00',
        title: 'Owner',
        address: { street: '2 Rue Haute', city: 'Lille', postalCode: '59000', country: 'FR' },
      },
      expectInCustomerp: {
        firstName: 'Di',
        lastName: 'Eve',
        email: 'di.eve@example.org',
        phone: '+33 1 00 00 00 00',
        jobTitle: 'Owner',
        street: '2 Rue Haute',
        city: 'Lille',
        postalCode: '59000',
        country: 'FR',
      },
    }),
  },
  {
    flow: 'Product → Company',
    entity: 'Company',
    customerpUpdate: 'mutation($id: ID!, $input: ProductUpdateInput!) { updateProduct(id: $id, input: $input) { id } }',
    customerpRead: 'query($id: ID!) { record: product(id: $id) { id sku name description category website active } }',
    crmofficeUpdate: 'mutation($id: ID!, $data: CompanyUpdateInput!) { updateCompany(id: $id, data: $data) { id } }',
    crmofficeRead: 'query($id: ID!) { record: company(id: $id) { id name description industry website code status } }',
    customerpEdit: async () => ({
      input: {
        sku: 'SKU-EDIT-1',
        name: 'Edited One',
        description: 'edited in Customerp',
        category: 'Robotics',
        website: 'https://one.example.org',
        active: false,
      },
      expectInCrmoffice: {
        code: 'SKU-EDIT-1',
        name: 'Edited One',
        description: 'edited in Customerp',
        industry: 'Robotics',
        website: 'https://one.example.org',
        status: 'INACTIVE',
      },
    }),
    crmofficeEdit: async () => ({
      data: {
        code: 'SKU-EDIT-2',
        name: 'Edited Two',
        description: 'edited in Crmoffice',
        industry: 'Energy',
        website: 'https://two.example.org',
        status: 'ACTIVE',
      },
      expectInCustomerp: {
        sku: 'SKU-EDIT-2',
        name: 'Edited Two',
        description: 'edited in Crmoffice',
        category: 'Energy',
        website: 'https://two.example.org',
        active: true,
      },
    }),
  },
  {
    flow: 'Project → Activity',
    entity: 'Activity',
    customerpUpdate: 'mutation($id: ID!, $input: ProjectUpdateInput!) { updateProject(id: $id, input: $input) { id } }',
    customerpRead:
      'query($id: ID!) { record: project(id: $id) { id name description status startDate endDate managerId productId } }',
    crmofficeUpdate: 'mutation($id: ID!, $data: ActivityUpdateInput!) { updateActivity(id: $id, data: $data) { id } }',
    crmofficeRead:
      'query($id: ID!) { record: activity(id: $id) { id subject description type status startAt dueAt ownerContactId companyId } }',
    customerpEdit: async (world) => {
      const [employee, product] = await linkedPair(world, 'Contact', 'EMPLOYEE', 0, 'Company', 0);
      return {
        input: {
          name: 'Edited project',
          description: 'from Customerp',
          status: 'COMPLETED',
          startDate: '2026-03-01',
          endDate: '2026-05-31',
          managerId: employee.customerp?.id,
          productId: product.customerp?.id,
        },
        expectInCrmoffice: {
          subject: 'Edited project',
          description: 'from Customerp',
          type: 'PROJECT',
          status: 'DONE',
          startAt: '2026-03-01T00:00:00.000Z',
          dueAt: '2026-05-31T00:00:00.000Z',
          ownerContactId: employee.crmoffice?.id,
          companyId: product.crmoffice?.id,
        },
      };
    },
    crmofficeEdit: async (world) => {
      const [employee, product] = await linkedPair(world, 'Contact', 'EMPLOYEE', 1, 'Company', 1);
      return {
        data: {
          subject: 'Edited activity',
          description: 'from Crmoffice',
          status: 'CANCELLED',
          startAt: '2026-04-02T00:00:00.000Z',
          dueAt: '2026-06-30T00:00:00.000Z',
          ownerContactId: employee.crmoffice?.id,
          companyId: product.crmoffice?.id,
        },
        expectInCustomerp: {
          name: 'Edited activity',
          description: 'from Crmoffice',
          status: 'CANCELLED',
          startDate: '2026-04-02',
          endDate: '2026-06-30',
          managerId: employee.customerp?.id,
          productId: product.customerp?.id,
        },
      };
    },
  },
];

/** Two fully linked links: the `i`-th of one entity and the `j`-th of another. */
async function linkedPair(
  world: SyncWorld,
  a: 'Contact',
  kind: 'EMPLOYEE',
  i: number,
  b: 'Company',
  j: number,
): Promise<[Link, Link]> {
  const first = (await world.linksOf(a, kind)).filter((l) => l.customerp && l.crmoffice)[i];
  const second = (await world.linksOf(b)).filter((l) => l.customerp && l.crmoffice)[j];
  if (!first || !second) throw new Error('not enough linked records in the demo data');
  return [first, second];
}

// One synced world for all four flows: each case edits records of its own, and the write counts are
// read per test, so the cases cannot see each other.
let world: SyncWorld;

beforeAll(async () => {
  world = await startSyncWorld('edits');
  await world.engine.runOnce();
  await world.engine.runOnce(); // the first pass's echoes
});

afterAll(() => world.close());

describe.each(cases)('SyncEngine, $flow', (flowCase) => {
  let links: Link[];

  beforeAll(async () => {
    links = (await world.linksOf(flowCase.entity, flowCase.kind)).filter(
      (l) => l.customerp && l.crmoffice && l.state === 'IN_SYNC',
    );
    expect(links.length).toBeGreaterThan(3);
  });

  it('carries an edit made in Customerp to Crmoffice, every mapped field, in one write, with no echo', async () => {
    const link = links[2] as Link;
    const { input, expectInCrmoffice } = await flowCase.customerpEdit(world);
    await world.systems.resetStats();
    await gql(world.systems.customerpServer.url, flowCase.customerpUpdate, { id: link.customerp?.id, input });
    await world.engine.runOnce();
    const { record } = await gql<{ record: Fields }>(world.systems.crmofficeServer.url, flowCase.crmofficeRead, {
      id: link.crmoffice?.id,
    });
    expect(record).toMatchObject(expectInCrmoffice);
    expect(await world.systems.writes()).toEqual({ customerp: 1, crmoffice: 1 }); // the edit itself, and the one sync write

    await world.systems.resetStats();
    await world.engine.runOnce(); // brings the echo of the sync write from Crmoffice's feed
    expect(await world.systems.writes()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it('carries an edit made in Crmoffice to Customerp, every mapped field, in one write, with no echo', async () => {
    const link = links[3] as Link;
    const { data, expectInCustomerp } = await flowCase.crmofficeEdit(world);
    await world.systems.resetStats();
    await gql(world.systems.crmofficeServer.url, flowCase.crmofficeUpdate, { id: link.crmoffice?.id, data });
    await world.engine.runOnce();
    const { record } = await gql<{ record: Fields }>(world.systems.customerpServer.url, flowCase.customerpRead, {
      id: link.customerp?.id,
    });
    expect(record).toMatchObject(expectInCustomerp);
    expect(await world.systems.writes()).toEqual({ customerp: 1, crmoffice: 1 });

    await world.systems.resetStats();
    await world.engine.runOnce();
    expect(await world.systems.writes()).toEqual({ customerp: 0, crmoffice: 0 });
    const after = await world.links.findById(link._id);
    expect(after?.state).toBe('IN_SYNC');
  });
});
