import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  CrmofficeActivity,
  CrmofficeCompany,
  CrmofficeContact,
  CustomerpContact,
  CustomerpEmployee,
  CustomerpProduct,
  CustomerpProject,
} from '../../src/mappings/index.js';
import { OPERATION_LIMITS } from '../../src/gateway/limits/index.js';
import { encodeUnifiedId } from '../../src/links/index.js';
import { digestOf, isDigest } from '../../src/mappings/index.js';
import { startGatewayWorld, type GatewayWorld } from './gateway-world.js';

/** `items` in runs of at most `size`, in order. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  const runs: T[][] = [];
  for (let i = 0; i < items.length; i += size) runs.push(items.slice(i, i + size));
  return runs;
}

// The gateway over both reference systems (demo data) after one sync pass. Every expectation is
// derived from what the systems' own APIs answer, read beside the gateway, never from the gateway's code.

let w: GatewayWorld;

beforeAll(async () => {
  w = await startGatewayWorld('read api');
});

afterAll(async () => {
  await w.close();
});

const REF = 'system type id';
const CUSTOMERP_EMPLOYEE =
  'id employeeNumber firstName lastName email phone mobile jobTitle department active version updatedAt';
const CUSTOMERP_CONTACT =
  'id firstName lastName email phone jobTitle customerName street city postalCode country version updatedAt';
const CUSTOMERP_PRODUCT = 'id sku name description category website active version updatedAt';
const CUSTOMERP_PROJECT =
  'id projectNumber name description status startDate endDate managerId productId version updatedAt';
const CRMOFFICE_CONTACT =
  'id firstName lastName email phone mobilePhone title department contactType companyId address { street city postalCode country } active etag modifiedAt';
const CRMOFFICE_COMPANY = 'id name description industry website code status etag modifiedAt';
const CRMOFFICE_ACTIVITY = 'id subject description type status startAt dueAt ownerContactId companyId etag modifiedAt';
const LINK = `link { id version customerp { ${REF} } crmoffice { ${REF} } createdAt updatedAt }`;
const SYNC =
  'sync { state lastSyncedAt conflicts { id field customerpValue crmofficeValue kept detectedAt resolvedAt record { id } } }';

const CONTACT_FIELDS = `
  id kind firstName lastName fullName email phone mobile title department active
  address { street city postalCode country }
  company { id crmoffice { id } }
  activities(first: 100) { totalCount nodes { id } }
  customerp { __typename ... on CustomerpEmployee { ${CUSTOMERP_EMPLOYEE} } ... on CustomerpContact { ${CUSTOMERP_CONTACT} } }
  crmoffice { ${CRMOFFICE_CONTACT} }
  ${LINK} ${SYNC}`;
const COMPANY_FIELDS = `
  id name description industry website code active
  contacts(first: 100) { totalCount nodes { id } }
  activities(first: 100) { totalCount nodes { id } }
  customerp { ${CUSTOMERP_PRODUCT} } crmoffice { ${CRMOFFICE_COMPANY} }
  ${LINK} ${SYNC}`;
const ACTIVITY_FIELDS = `
  id subject description status startAt dueAt
  owner { id customerp { ... on CustomerpEmployee { id } ... on CustomerpContact { id } } crmoffice { id } }
  company { id customerp { id } crmoffice { id } }
  customerp { ${CUSTOMERP_PROJECT} } crmoffice { ${CRMOFFICE_ACTIVITY} }
  ${LINK} ${SYNC}`;

interface Ref {
  system: string;
  type: string;
  id: string;
}
interface Node {
  id: string;
  link: { id: string; customerp: Ref | null; crmoffice: Ref | null };
  sync: { state: string; lastSyncedAt: string | null; conflicts: { field: string }[] };
  [field: string]: unknown;
}
interface Connection {
  totalCount: number;
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every record of a unified list, through the gateway, in pages of 100. */
async function all(
  field: 'contacts' | 'companies' | 'activities',
  selection: string,
  filter: Record<string, unknown> = {},
): Promise<Node[]> {
  const nodes: Node[] = [];
  let after: string | null = null;
  for (;;) {
    const data: Record<string, Connection> = await w.data(
      `query($after: String, $filter: ${field === 'contacts' ? 'ContactFilter' : field === 'companies' ? 'CompanyFilter' : 'ActivityFilter'}) {
        ${field}(first: 100, after: $after, filter: $filter) { totalCount nodes { ${selection} } pageInfo { hasNextPage endCursor } }
      }`,
      { after, filter },
    );
    const page = data[field]!;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor;
  }
}

/** The records the systems themselves hold for the links, read through their own APIs. */
async function sidesOf(nodes: Node[]): Promise<{ customerp: Map<string, unknown>; crmoffice: Map<string, unknown> }> {
  const { customerp, crmoffice } = w.world.systems;
  const customerpRecords = new Map<string, unknown>();
  const crmofficeRecords = new Map<string, unknown>();
  for (const type of ['Employee', 'Contact', 'Product', 'Project'] as const) {
    const ids = nodes.filter((n) => n.link.customerp?.type === type).map((n) => n.link.customerp!.id);
    (await customerp.getMany(type, ids)).forEach((record, i) => customerpRecords.set(`${type}:${ids[i]}`, record));
  }
  for (const type of ['Contact', 'Company', 'Activity'] as const) {
    const ids = nodes.filter((n) => n.link.crmoffice?.type === type).map((n) => n.link.crmoffice!.id);
    (await crmoffice.getMany(type, ids)).forEach((record, i) => crmofficeRecords.set(`${type}:${ids[i]}`, record));
  }
  return { customerp: customerpRecords, crmoffice: crmofficeRecords };
}

function recordOf<T>(records: Map<string, unknown>, ref: Ref | null): T | null {
  return ref ? ((records.get(`${ref.type}:${ref.id}`) as T | undefined) ?? null) : null;
}

function addressOf(
  parts: { street: string | null; city: string | null; postalCode: string | null; country: string | null } | null,
) {
  if (!parts || [parts.street, parts.city, parts.postalCode, parts.country].every((v) => v === null)) return null;
  return { street: parts.street, city: parts.city, postalCode: parts.postalCode, country: parts.country };
}

/** The design's tables, read off each system's record: what the unified fields must show. */
/** `crm` fills the fields the contact's dataflow does not carry (null when it has no Crmoffice side). */
function contactFromCustomerp(
  record: CustomerpEmployee | CustomerpContact,
  kind: string,
  crm: CrmofficeContact | null,
) {
  const common = {
    firstName: record.firstName,
    lastName: record.lastName,
    email: record.email,
    phone: record.phone,
    title: record.jobTitle,
  };
  if (kind === 'EMPLOYEE') {
    const employee = record as CustomerpEmployee;
    return {
      ...common,
      mobile: employee.mobile,
      department: employee.department,
      active: employee.active,
      address: crm ? addressOf(crm.address) : null,
    };
  }
  return {
    ...common,
    mobile: crm?.mobilePhone ?? null,
    department: crm?.department ?? null,
    active: crm?.active ?? null,
    address: addressOf(record as CustomerpContact),
  };
}

/** Every unified field as Crmoffice holds it: mapped ones are in sync, the others are Crmoffice's alone. */
function contactFromCrmoffice(record: CrmofficeContact) {
  const common = {
    firstName: record.firstName,
    lastName: record.lastName,
    email: record.email,
    phone: record.phone,
    title: record.title,
  };
  return {
    ...common,
    mobile: record.mobilePhone,
    department: record.department,
    active: record.active,
    address: addressOf(record.address),
  };
}

function companyFromCustomerp(record: CustomerpProduct) {
  return {
    name: record.name,
    description: record.description,
    industry: record.category,
    website: record.website,
    code: record.sku,
    active: record.active,
  };
}

function companyFromCrmoffice(record: CrmofficeCompany) {
  return {
    name: record.name,
    description: record.description,
    industry: record.industry,
    website: record.website,
    code: record.code,
    active: record.status === 'ACTIVE',
  };
}

const PROJECT_STATUS: Record<string, string> = {
  PLANNED: 'OPEN',
  ACTIVE: 'IN_PROGRESS',
  ON_HOLD: 'IN_PROGRESS',
  COMPLETED: 'DONE',
  CANCELLED: 'CANCELLED',
};

function midnightOf(date: string | null): string | null {
  return date === null ? null : `${date.slice(0, 10)}T00:00:00.000Z`;
}

function activityFromCustomerp(record: CustomerpProject) {
  return {
    subject: record.name,
    description: record.description,
    status: record.status === null ? null : PROJECT_STATUS[record.status],
    startAt: midnightOf(record.startDate),
    dueAt: midnightOf(record.endDate),
    ownerCustomerpId: record.managerId,
    companyCustomerpId: record.productId,
  };
}

function activityFromCrmoffice(record: CrmofficeActivity, linked: boolean) {
  return {
    subject: record.subject,
    description: record.description,
    status: record.status,
    // A pair carries start and due as dates (Customerp's precision); a Crmoffice-only activity keeps its time of day.
    startAt: linked ? midnightOf(record.startAt) : record.startAt,
    dueAt: linked ? midnightOf(record.dueAt) : record.dueAt,
    ownerCrmofficeId: record.ownerContactId,
    companyCrmofficeId: record.companyId,
  };
}

function pick(node: Node, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field, node[field]]));
}

const CONTACT_VALUE_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'mobile',
  'title',
  'department',
  'active',
  'address',
];
const COMPANY_VALUE_FIELDS = ['name', 'description', 'industry', 'website', 'code', 'active'];

describe('the unified read API over the demo world', () => {
  let contacts: Node[];
  let companies: Node[];
  let activities: Node[];

  beforeAll(async () => {
    [contacts, companies, activities] = await Promise.all([
      all('contacts', CONTACT_FIELDS),
      all('companies', COMPANY_FIELDS),
      all('activities', ACTIVITY_FIELDS),
    ]);
  });

  it('lists every live link once, of every kind', async () => {
    const links = {
      Contact: await w.world.linksOf('Contact'),
      Company: await w.world.linksOf('Company'),
      Activity: await w.world.linksOf('Activity'),
    };
    expect(contacts.map((c) => c.id).sort()).toEqual(
      links.Contact.map((l) => encodeUnifiedId('Contact', l._id)).sort(),
    );
    expect(companies.map((c) => c.id).sort()).toEqual(
      links.Company.map((l) => encodeUnifiedId('Company', l._id)).sort(),
    );
    expect(activities.map((c) => c.id).sort()).toEqual(
      links.Activity.map((l) => encodeUnifiedId('Activity', l._id)).sort(),
    );
    const kinds = new Set(contacts.map((c) => c.kind));
    expect([...kinds].sort()).toEqual(['CRM_ONLY', 'CUSTOMER_CONTACT', 'EMPLOYEE']);
  });

  it('resolves every Contact field as the two systems hold it, for each kind', async () => {
    const sides = await sidesOf(contacts);
    const activitiesByOwner = new Map<string, string[]>();
    for (const activity of activities) {
      const owner = (activity['owner'] as { id: string } | null)?.id;
      if (owner) activitiesByOwner.set(owner, [...(activitiesByOwner.get(owner) ?? []), activity.id]);
    }
    const checked = { EMPLOYEE: 0, CUSTOMER_CONTACT: 0, CRM_ONLY: 0 } as Record<string, number>;
    for (const contact of contacts) {
      const kind = contact['kind'] as string;
      const customerp = recordOf<CustomerpEmployee | CustomerpContact>(sides.customerp, contact.link.customerp);
      const crmoffice = recordOf<CrmofficeContact>(sides.crmoffice, contact.link.crmoffice);
      const unified = pick(contact, CONTACT_VALUE_FIELDS);
      if (customerp)
        expect({ id: contact.id, ...unified }).toEqual({
          id: contact.id,
          ...contactFromCustomerp(customerp, kind, crmoffice),
        });
      if (crmoffice && contact.sync.state === 'IN_SYNC') {
        expect({ id: contact.id, ...unified }).toEqual({ id: contact.id, ...contactFromCrmoffice(crmoffice) });
      }
      const names = [contact['firstName'], contact['lastName']].filter((n) => typeof n === 'string' && n !== '');
      expect(contact['fullName']).toEqual(names.length > 0 ? names.join(' ') : null);
      // Each side exactly as its system returns it.
      expect(contact['customerp']).toEqual(
        customerp && {
          __typename: contact.link.customerp!.type === 'Employee' ? 'CustomerpEmployee' : 'CustomerpContact',
          ...customerp,
        },
      );
      expect(contact['crmoffice']).toEqual(crmoffice);
      expect(kind).toEqual(
        contact.link.customerp?.type === 'Employee'
          ? 'EMPLOYEE'
          : contact.link.customerp?.type === 'Contact'
            ? 'CUSTOMER_CONTACT'
            : 'CRM_ONLY',
      );
      // The company is the one Crmoffice's contact names.
      expect((contact['company'] as { crmoffice: { id: string } } | null)?.crmoffice.id ?? null).toEqual(
        crmoffice?.companyId ?? null,
      );
      const owned = contact['activities'] as { totalCount: number; nodes: { id: string }[] };
      expect(owned.nodes.map((a) => a.id).sort()).toEqual((activitiesByOwner.get(contact.id) ?? []).sort());
      expect(owned.totalCount).toBe(owned.nodes.length);
      checked[kind] = (checked[kind] ?? 0) + 1;
    }
    expect(checked['EMPLOYEE']).toBeGreaterThan(20);
    expect(checked['CUSTOMER_CONTACT']).toBeGreaterThan(30);
    expect(checked['CRM_ONLY']).toBeGreaterThan(10);
    expect(contacts.filter((c) => c['company'] !== null).length).toBeGreaterThan(3);
  });

  it('resolves every Company field as the two systems hold it', async () => {
    const sides = await sidesOf(companies);
    for (const company of companies) {
      const product = recordOf<CustomerpProduct>(sides.customerp, company.link.customerp);
      const crm = recordOf<CrmofficeCompany>(sides.crmoffice, company.link.crmoffice);
      const unified = { id: company.id, ...pick(company, COMPANY_VALUE_FIELDS) };
      if (product) expect(unified).toEqual({ id: company.id, ...companyFromCustomerp(product) });
      if (crm) expect(unified).toEqual({ id: company.id, ...companyFromCrmoffice(crm) });
      expect(company['customerp']).toEqual(product);
      expect(company['crmoffice']).toEqual(crm);
      const members = contacts
        .filter((c) => (c['company'] as { id: string } | null)?.id === company.id)
        .map((c) => c.id);
      expect((company['contacts'] as { nodes: { id: string }[] }).nodes.map((c) => c.id).sort()).toEqual(
        members.sort(),
      );
      const its = activities.filter((a) => (a['company'] as { id: string } | null)?.id === company.id).map((a) => a.id);
      expect((company['activities'] as { nodes: { id: string }[] }).nodes.map((a) => a.id).sort()).toEqual(its.sort());
    }
    expect(companies.filter((c) => c.link.customerp && c.link.crmoffice).length).toBe(20);
    expect(companies.filter((c) => !c.link.customerp).length).toBe(6);
  });

  it('resolves every Activity field as the two systems hold it, owner and company included', async () => {
    const sides = await sidesOf(activities);
    for (const activity of activities) {
      const project = recordOf<CustomerpProject>(sides.customerp, activity.link.customerp);
      const crm = recordOf<CrmofficeActivity>(sides.crmoffice, activity.link.crmoffice);
      const owner = activity['owner'] as { customerp: { id: string } | null; crmoffice: { id: string } | null } | null;
      const company = activity['company'] as {
        customerp: { id: string } | null;
        crmoffice: { id: string } | null;
      } | null;
      const unified = pick(activity, ['subject', 'description', 'status', 'startAt', 'dueAt']);
      if (project) {
        expect({
          id: activity.id,
          ...unified,
          ownerCustomerpId: owner?.customerp?.id ?? null,
          companyCustomerpId: company?.customerp?.id ?? null,
        }).toEqual({ id: activity.id, ...activityFromCustomerp(project) });
      }
      if (crm && activity.sync.state === 'IN_SYNC') {
        expect({
          id: activity.id,
          ...unified,
          ownerCrmofficeId: owner?.crmoffice?.id ?? null,
          companyCrmofficeId: company?.crmoffice?.id ?? null,
        }).toEqual({ id: activity.id, ...activityFromCrmoffice(crm, project !== null) });
      }
      expect(activity['customerp']).toEqual(project);
      expect(activity['crmoffice']).toEqual(crm);
    }
    expect(activities.filter((a) => a.link.customerp && a.link.crmoffice).length).toBeGreaterThan(20);
    expect(activities.filter((a) => !a.link.customerp).length).toBe(15);
  });

  it('reports link and sync facts from the link documents', async () => {
    const links = new Map((await w.world.linksOf('Contact')).map((l) => [encodeUnifiedId('Contact', l._id), l]));
    for (const contact of contacts) {
      const link = links.get(contact.id)!;
      expect(contact.link).toEqual({
        id: link._id,
        version: link.version,
        customerp: link.customerp && { system: 'CUSTOMERP', ...link.customerp },
        crmoffice: link.crmoffice && { system: 'CRMOFFICE', ...link.crmoffice },
        createdAt: link.createdAt.toISOString(),
        updatedAt: link.updatedAt.toISOString(),
      });
      expect(contact.sync).toEqual({
        state: link.state,
        lastSyncedAt: link.lastSyncedAt?.toISOString() ?? null,
        conflicts: link.conflicts
          .filter((c) => !c.resolvedAt)
          .map((c) => ({
            id: expect.any(String),
            field: c.field,
            // A value the link keeps as a digest is shown as the system holds it now: its digest is the one stored.
            customerpValue: isDigest(c.customerpValue) ? expect.any(String) : c.customerpValue,
            crmofficeValue: isDigest(c.crmofficeValue) ? expect.any(String) : c.crmofficeValue,
            kept: c.kept,
            detectedAt: c.detectedAt.toISOString(),
            resolvedAt: null,
            record: { id: contact.id },
          })),
      });
      const shown = contact.sync.conflicts as { field: string; customerpValue: unknown; crmofficeValue: unknown }[];
      link.conflicts
        .filter((c) => !c.resolvedAt)
        .forEach((c, i) => {
          for (const side of ['customerpValue', 'crmofficeValue'] as const) {
            if (isDigest(c[side])) expect(digestOf(c.field, String(shown[i]?.[side]))).toBe(c[side]);
          }
        });
    }
    // The ambiguous demo employee: two Crmoffice contacts share its e-mail, so sync recorded a conflict.
    expect(
      contacts.filter((c) => c.sync.state === 'CONFLICT').map((c) => c.sync.conflicts.map((k) => k.field)),
    ).toEqual([['identity']]);
  });

  describe('node(id)', () => {
    it('round-trips every id of every type', async () => {
      const ids = [...contacts, ...companies, ...activities].map((n) => n.id);
      const data: Record<string, unknown> = {};
      // In queries of at most OPERATION_LIMITS.maxAliases lookups each (one query would be over the limits).
      for (const chunk of chunks(
        ids.map((id, i) => [id, i] as const),
        OPERATION_LIMITS.maxAliases,
      )) {
        const declarations = chunk.map(([, i]) => `$i${i}: ID!`).join(', ');
        const fields = chunk.map(([, i]) => `n${i}: node(id: $i${i}) { id __typename }`).join(' ');
        Object.assign(
          data,
          await w.data(
            `query(${declarations}) { ${fields} }`,
            Object.fromEntries(chunk.map(([id, i]) => [`i${i}`, id])),
          ),
        );
      }
      const expected = Object.fromEntries(
        [
          ...contacts.map((n) => [n.id, 'Contact']),
          ...companies.map((n) => [n.id, 'Company']),
          ...activities.map((n) => [n.id, 'Activity']),
        ].map(([id, type], i) => [`n${i}`, { id, __typename: type }]),
      );
      expect(data).toEqual(expected);
    });

    it('answers null for a well-formed id that names nothing', async () => {
      const unknown = encodeUnifiedId('Contact', '00000000-0000-4000-8000-000000000000');
      expect(
        await w.query(`query($id: ID!) { node(id: $id) { id } contact(id: $id) { id } }`, { id: unknown }),
      ).toEqual({
        data: { node: null, contact: null },
      });
    });

    it('rejects a malformed id with BAD_USER_INPUT on id, never a 500', async () => {
      for (const id of ['', 'nope', 'Q29udGFjdDpub3QtYS11dWlk', '%%%']) {
        const response = await fetch(w.gateway.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id } }),
        });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          data: { node: null },
          errors: [
            {
              message: 'id is not a valid id',
              locations: [{ line: 1, column: 19 }],
              path: ['node'],
              extensions: { code: 'BAD_USER_INPUT', field: 'id' },
            },
          ],
        });
      }
    });

    it('rejects the id of another type where a Contact id is expected', async () => {
      const answer = await w.query(`query($id: ID!) { contact(id: $id) { id } }`, { id: companies[0]!.id });
      expect(answer).toEqual({
        data: { contact: null },
        errors: [
          {
            message: 'id is the id of a Company, not of a Contact',
            locations: [{ line: 1, column: 19 }],
            path: ['contact'],
            extensions: { code: 'BAD_USER_INPUT', field: 'id' },
          },
        ],
      });
    });
  });

  describe('…ByRef', () => {
    it("finds every unified record from either system's id", async () => {
      const cases = [
        ...contacts.map((n) => ['contactByRef', n] as const),
        ...companies.map((n) => ['companyByRef', n] as const),
        ...activities.map((n) => ['activityByRef', n] as const),
      ];
      const lookups: string[] = [];
      const variables: Record<string, unknown> = {};
      const expected: Record<string, unknown> = {};
      cases.forEach(([field, node], i) => {
        for (const ref of [node.link.customerp, node.link.crmoffice]) {
          if (!ref) continue;
          const alias = `${ref.system === 'CUSTOMERP' ? 'p' : 'c'}${i}`;
          lookups.push(`${alias}: ${field}(system: ${ref.system}, id: $${alias}) { id }`);
          variables[alias] = ref.id;
          expected[alias] = { id: node.id };
        }
      });
      const answers: Record<string, unknown> = {};
      for (const chunk of chunks(lookups, OPERATION_LIMITS.maxAliases)) {
        const names = chunk.map((lookup) => lookup.slice(0, lookup.indexOf(':')));
        const declarations = names.map((name) => `$${name}: ID!`).join(', ');
        Object.assign(
          answers,
          await w.data(
            `query(${declarations}) { ${chunk.join(' ')} }`,
            Object.fromEntries(names.map((name) => [name, variables[name]])),
          ),
        );
      }
      expect(answers).toEqual(expected);
    });

    it('answers null for an id that no link holds', async () => {
      expect(
        await w.data(
          `{ a: contactByRef(system: CUSTOMERP, id: "emp-9999") { id } b: companyByRef(system: CRMOFFICE, id: "nope") { id } }`,
        ),
      ).toEqual({
        a: null,
        b: null,
      });
    });
  });

  describe('paging', () => {
    it('visits every contact exactly once, in pages of 7, with a stable total', async () => {
      const seen: string[] = [];
      const totals = new Set<number>();
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const data: {
          contacts: {
            totalCount: number;
            edges: { cursor: string; node: { id: string } }[];
            nodes: { id: string }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } = await w.data(
          `query($after: String) { contacts(first: 7, after: $after) { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        const page = data.contacts;
        pages += 1;
        totals.add(page.totalCount);
        expect(page.nodes).toEqual(page.edges.map((e) => e.node));
        expect(page.edges.map((e) => e.cursor)).toEqual(page.nodes.map((n) => n.id));
        expect(page.pageInfo.endCursor).toEqual(page.nodes.at(-1)?.id ?? null);
        seen.push(...page.nodes.map((n) => n.id));
        if (!page.pageInfo.hasNextPage) break;
        expect(page.nodes).toHaveLength(7);
        after = page.pageInfo.endCursor;
      }
      expect([...totals]).toEqual([contacts.length]);
      expect(pages).toBe(Math.ceil(contacts.length / 7));
      expect(seen).toEqual(contacts.map((c) => c.id));
    });

    it('pages a nested list with its own cursors', async () => {
      const owner = contacts.find((c) => (c['activities'] as { totalCount: number }).totalCount >= 2)!;
      const expected = (owner['activities'] as { nodes: { id: string }[] }).nodes.map((a) => a.id);
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const data: {
          contact: {
            activities: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
          };
        } = await w.data(
          `query($id: ID!, $after: String) { contact(id: $id) { activities(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } } }`,
          { id: owner.id, after },
        );
        seen.push(...data.contact.activities.nodes.map((a) => a.id));
        after = data.contact.activities.pageInfo.hasNextPage ? data.contact.activities.pageInfo.endCursor : null;
      } while (after);
      expect(seen).toEqual(expected);
    });

    it('serves pages of 0 to 100 and rejects a larger or negative first with BAD_USER_INPUT on first', async () => {
      expect(
        (await w.data<{ contacts: { nodes: unknown[] } }>('{ contacts(first: 100) { nodes { id } } }')).contacts.nodes,
      ).toHaveLength(Math.min(100, contacts.length));
      expect(await w.data('{ contacts(first: 0) { nodes { id } pageInfo { hasNextPage endCursor } } }')).toEqual({
        contacts: { nodes: [], pageInfo: { hasNextPage: true, endCursor: null } },
      });
      for (const [first, field] of [
        [101, 'contacts'],
        [-1, 'companies'],
        [1000, 'activities'],
      ] as const) {
        expect(await w.query(`{ ${field}(first: ${first}) { totalCount } }`)).toEqual({
          data: null,
          errors: [
            {
              message: `first must be between 0 and 100, got ${first}`,
              locations: [{ line: 1, column: 3 }],
              path: [field],
              extensions: { code: 'BAD_USER_INPUT', field: 'first' },
            },
          ],
        });
      }
    });

    it('rejects a cursor of another list with BAD_USER_INPUT on after', async () => {
      expect(
        await w.query('query($after: String) { companies(after: $after) { totalCount } }', { after: contacts[0]!.id }),
      ).toEqual({
        data: null,
        errors: [
          {
            message: 'after is not a cursor of this list',
            locations: [{ line: 1, column: 25 }],
            path: ['companies'],
            extensions: { code: 'BAD_USER_INPUT', field: 'after' },
          },
        ],
      });
    });
  });

  describe('filters', () => {
    const ids = (nodes: Node[]): string[] => nodes.map((n) => n.id);

    it('filters contacts by kind, email, name, company and sync state', async () => {
      const sample = contacts.find((c) => c['kind'] === 'CUSTOMER_CONTACT')!;
      const withCompany = contacts.find((c) => c['company'] !== null)!;
      const companyId = (withCompany['company'] as { id: string }).id;
      const lastName = sample['lastName'] as string;
      // Filters run on the lookup keys sync writes. (Sync leaves an ambiguous match's link without
      // keys for now, so that one is not findable by name or e-mail: reported to the sync engine's owner.)
      const keyed = new Set(
        (await w.world.linksOf('Contact'))
          .filter((l) => l.keys['name'] !== undefined)
          .map((l) => encodeUnifiedId('Contact', l._id)),
      );
      const named = contacts.filter((c) => keyed.has(c.id));
      const cases: [Record<string, unknown>, Node[]][] = [
        [{ kind: 'EMPLOYEE' }, contacts.filter((c) => c['kind'] === 'EMPLOYEE')],
        [{ kind: 'CRM_ONLY' }, contacts.filter((c) => c['kind'] === 'CRM_ONLY')],
        [
          { email: (sample['email'] as string).toUpperCase() },
          named.filter((c) => (c['email'] as string).toLowerCase() === (sample['email'] as string).toLowerCase()),
        ],
        [
          { nameContains: lastName.slice(1, 4).toUpperCase() },
          named.filter((c) => (c['fullName'] as string).toLowerCase().includes(lastName.slice(1, 4).toLowerCase())),
        ],
        [{ companyId }, contacts.filter((c) => (c['company'] as { id: string } | null)?.id === companyId)],
        [{ syncState: 'CONFLICT' }, contacts.filter((c) => c.sync.state === 'CONFLICT')],
        [
          { kind: 'EMPLOYEE', syncState: 'IN_SYNC' },
          contacts.filter((c) => c['kind'] === 'EMPLOYEE' && c.sync.state === 'IN_SYNC'),
        ],
        [{ email: 'nobody@nowhere.example' }, []],
      ];
      for (const [filter, expected] of cases) {
        expect(expected.length === 0 || expected.length < contacts.length).toBe(true);
        expect({ filter, ids: ids(await all('contacts', 'id', filter)) }).toEqual({ filter, ids: ids(expected) });
      }
    });

    it('filters companies by name, code and sync state', async () => {
      const sample = companies[3]!;
      const word = (sample['name'] as string).split(' ')[0]!;
      const cases: [Record<string, unknown>, Node[]][] = [
        [
          { nameContains: word.toLowerCase() },
          companies.filter((c) => (c['name'] as string).toLowerCase().includes(word.toLowerCase())),
        ],
        [{ code: sample['code'] }, [sample]],
        [{ syncState: 'IN_SYNC' }, companies.filter((c) => c.sync.state === 'IN_SYNC')],
        [{ syncState: 'ERROR' }, []],
      ];
      for (const [filter, expected] of cases) {
        expect({ filter, ids: ids(await all('companies', 'id', filter)) }).toEqual({ filter, ids: ids(expected) });
      }
    });

    it('filters activities by status, owner, company and sync state', async () => {
      const owned = activities.find((a) => a['owner'] !== null)!;
      const ownerId = (owned['owner'] as { id: string }).id;
      const ofCompany = activities.find((a) => a['company'] !== null)!;
      const companyId = (ofCompany['company'] as { id: string }).id;
      const cases: [Record<string, unknown>, Node[]][] = [
        [{ status: 'DONE' }, activities.filter((a) => a['status'] === 'DONE')],
        [{ ownerId }, activities.filter((a) => (a['owner'] as { id: string } | null)?.id === ownerId)],
        [{ companyId }, activities.filter((a) => (a['company'] as { id: string } | null)?.id === companyId)],
        [{ syncState: 'PENDING' }, activities.filter((a) => a.sync.state === 'PENDING')],
        [
          { status: 'OPEN', companyId },
          activities.filter((a) => a['status'] === 'OPEN' && (a['company'] as { id: string } | null)?.id === companyId),
        ],
      ];
      for (const [filter, expected] of cases) {
        expect({ filter, ids: ids(await all('activities', 'id', filter)) }).toEqual({ filter, ids: ids(expected) });
      }
    });

    it('rejects an id of the wrong type in a filter with BAD_USER_INPUT', async () => {
      expect(
        await w.query('query($id: ID!) { contacts(filter: { companyId: $id }) { totalCount } }', {
          id: contacts[0]!.id,
        }),
      ).toEqual({
        data: null,
        errors: [
          {
            message: 'filter.companyId is the id of a Contact, not of a Company',
            locations: [{ line: 1, column: 19 }],
            path: ['contacts'],
            extensions: { code: 'BAD_USER_INPUT', field: 'filter.companyId' },
          },
        ],
      });
    });
  });

  describe('conflicts and syncStatus', () => {
    it('lists open conflicts, resolved ones and all, with the record each is on', async () => {
      const conflicted = contacts.find((c) => c.sync.state === 'CONFLICT')!;
      const query =
        'query($open: Boolean) { conflicts(open: $open) { totalCount nodes { id field kept record { id } } pageInfo { hasNextPage endCursor } } }';
      const open = await w.data<{ conflicts: { nodes: { id: string }[] } }>(query, { open: true });
      expect(open).toEqual({
        conflicts: {
          totalCount: 1,
          nodes: [{ id: expect.any(String), field: 'identity', kept: null, record: { id: conflicted.id } }],
          pageInfo: { hasNextPage: false, endCursor: open.conflicts.nodes[0]!.id },
        },
      });
      expect(await w.data(query, { open: false })).toEqual({
        conflicts: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } },
      });
      expect((await w.data<{ conflicts: { totalCount: number } }>(query, { open: null })).conflicts.totalCount).toBe(1);
    });

    it('reports feeds, pending operations, open conflicts and links per entity and state', async () => {
      const data = await w.data<{
        syncStatus: {
          feeds: { system: string; entity: string; cursor: string | null; applied: number }[];
          links: unknown[];
        };
      }>(
        '{ syncStatus { feeds { system entity cursor lastRunAt lagMs applied blockedReason } pendingOperations openConflicts links { entity state count } } }',
      );
      const cursors = await w.world.engine.cursors.list();
      expect(data.syncStatus).toEqual({
        feeds: cursors.map((c) => ({
          system: c.system,
          entity: c.entity,
          cursor: c.cursor,
          lastRunAt: c.lastRunAt?.toISOString() ?? null,
          lagMs: c.lagMs,
          applied: c.applied,
          blockedReason: c.blockedReason ?? null,
        })),
        pendingOperations: 0,
        openConflicts: 1,
        links: expect.any(Array),
      });
      expect(data.syncStatus.feeds).toHaveLength(7);
      const expectedCounts: { entity: string; state: string; count: number }[] = [];
      for (const [entity, nodes] of [
        ['Contact', contacts],
        ['Company', companies],
        ['Activity', activities],
      ] as const) {
        for (const state of ['IN_SYNC', 'PENDING', 'CONFLICT', 'ERROR']) {
          const count = nodes.filter((n) => n.sync.state === state).length;
          if (count > 0) expectedCounts.push({ entity, state, count });
        }
      }
      expect(data.syncStatus.links).toEqual(expectedCounts);
    });
  });

  describe('while a pair is not synced yet', () => {
    it('shows the newer side, and each side as its system holds it', async () => {
      const contact = contacts.find((c) => c['kind'] === 'EMPLOYEE' && c.sync.state === 'IN_SYNC')!;
      const crmId = contact.link.crmoffice!.id;
      const [before] = (await w.world.systems.crmoffice.getMany('Contact', [crmId])) as CrmofficeContact[];
      await w.world.systems.crmoffice.update('Contact', crmId, { title: 'Chief Gateway Officer' }, before!.etag);
      const data = await w.data<{
        contact: {
          title: string;
          customerp: { jobTitle: string };
          crmoffice: { title: string };
          sync: { state: string };
        };
      }>(
        'query($id: ID!) { contact(id: $id) { title customerp { ... on CustomerpEmployee { jobTitle } } crmoffice { title } sync { state } } }',
        { id: contact.id },
      );
      expect(data.contact).toEqual({
        title: 'Chief Gateway Officer',
        customerp: { jobTitle: contact['title'] },
        crmoffice: { title: 'Chief Gateway Officer' },
        sync: { state: 'IN_SYNC' },
      });
    });
  });
});
