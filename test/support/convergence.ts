import type { Db } from 'mongodb';
import { LinkStore, type Link } from '../../src/links/index.js';
import { listAll } from './graphql.js';

/** What the fault-tolerance tests need of Crmoffice's records: ids and identity keys. */
export interface CrmofficeData {
  contacts: { id: string; email: string | null }[];
  companies: { id: string; code: string | null }[];
  activities: { id: string; subject: string; startAt: string | null }[];
}

/** What they need of Customerp's records: ids, identity keys and the references that can defer a project. */
export interface CustomerpData {
  employees: { id: string; email: string | null }[];
  contacts: { id: string; email: string | null }[];
  products: { id: string; sku: string }[];
  projects: { id: string; name: string; managerId: string | null; productId: string | null }[];
}

/** Every Crmoffice record, read over HTTP like any client. */
export async function readCrmoffice(url: string): Promise<CrmofficeData> {
  return {
    contacts: await listAll(url, 'contacts', 'id email'),
    companies: await listAll(url, 'companies', 'id code'),
    activities: await listAll(url, 'activities', 'id subject startAt'),
  };
}

/** Every Customerp record, read over HTTP like any client. */
export async function readCustomerp(url: string): Promise<CustomerpData> {
  return {
    employees: await listAll(url, 'employees', 'id email'),
    contacts: await listAll(url, 'contacts', 'id email'),
    products: await listAll(url, 'products', 'id sku'),
    projects: await listAll(url, 'projects', 'id name managerId productId'),
  };
}

/**
 * Identity keys (docs/design.md, "The dataflows": e-mail case-insensitive, code, subject + start date) that more than one
 * Crmoffice record carries, sorted. A counterpart created twice shows up here.
 */
export function identityDuplicates(crm: CrmofficeData): string[] {
  const keys = [
    ...crm.contacts.filter((c) => c.email).map((c) => `contact ${(c.email as string).toLowerCase()}`),
    ...crm.companies.filter((c) => c.code).map((c) => `company ${c.code as string}`),
    ...crm.activities.map((a) => `activity ${a.subject} ${a.startAt?.slice(0, 10) ?? '-'}`),
  ];
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts]
    .filter(([, n]) => n > 1)
    .map(([key]) => key)
    .sort();
}

/**
 * Everything that keeps the two systems and the link store from being converged after a full sync of
 * seeded data, one line per problem (empty = converged). Expectations are derived from the data:
 * `seeded` is Crmoffice before the first pass. Converged means:
 * - every Customerp record has one live link with both sides, IN_SYNC, except an employee whose e-mail
 *   several seeded Crmoffice contacts carry (a CONFLICT half link) and the projects referring to one
 *   (PENDING half links, deferred);
 * - no identity key is carried by more Crmoffice records than before, and every Crmoffice record is
 *   either seeded or the counterpart of a Customerp record (nothing created twice, no orphan);
 * - every Crmoffice record has a live link, and there is no other live link.
 */
export async function convergenceProblems(
  db: Db,
  urls: { customerp: string; crmoffice: string },
  seeded: CrmofficeData,
): Promise<string[]> {
  const problems: string[] = [];
  const store = new LinkStore(db);
  const cp = await readCustomerp(urls.customerp);
  const crm = await readCrmoffice(urls.crmoffice);

  const seededEmails = new Map<string, number>();
  for (const c of seeded.contacts)
    if (c.email) seededEmails.set(c.email.toLowerCase(), (seededEmails.get(c.email.toLowerCase()) ?? 0) + 1);
  const ambiguous = new Set(
    cp.employees.filter((e) => e.email && (seededEmails.get(e.email.toLowerCase()) ?? 0) > 1).map((e) => e.id),
  );
  const deferred = new Set(
    cp.projects.filter((p) => p.managerId !== null && ambiguous.has(p.managerId)).map((p) => p.id),
  );

  const customerpLinks: Link[] = [];
  const groups = [
    ['Employee', cp.employees],
    ['Contact', cp.contacts],
    ['Product', cp.products],
    ['Project', cp.projects],
  ] as const;
  for (const [type, records] of groups) {
    const links = await store.findByRefs(
      'CUSTOMERP',
      records.map((r) => ({ type, id: r.id })),
    );
    links.forEach((link, i) => {
      const id = (records[i] as { id: string }).id;
      if (!link || link.deletedAt) return void problems.push(`Customerp ${type} ${id}: no live link`);
      customerpLinks.push(link);
      const expected = ambiguous.has(id)
        ? 'CONFLICT half link'
        : deferred.has(id)
          ? 'PENDING half link'
          : 'IN_SYNC pair';
      const actual = link.crmoffice ? `${link.state} pair` : `${link.state} half link`;
      if (actual !== expected) problems.push(`Customerp ${type} ${id}: expected ${expected}, found ${actual}`);
    });
  }

  const before = identityDuplicates(seeded);
  const after = identityDuplicates(crm);
  for (const key of after.filter((k) => !before.includes(k)))
    problems.push(`Crmoffice identity key carried twice: ${key}`);

  const seededIds = new Set([...seeded.contacts, ...seeded.companies, ...seeded.activities].map((r) => r.id));
  const counterparts = new Set(customerpLinks.flatMap((l) => (l.crmoffice ? [l.crmoffice.id] : [])));
  let crmOnly = 0;
  const crmGroups = [
    ['Contact', crm.contacts],
    ['Company', crm.companies],
    ['Activity', crm.activities],
  ] as const;
  for (const [type, records] of crmGroups) {
    const links = await store.findByRefs(
      'CRMOFFICE',
      records.map((r) => ({ type, id: r.id })),
    );
    links.forEach((link, i) => {
      const id = (records[i] as { id: string }).id;
      if (!seededIds.has(id) && !counterparts.has(id))
        problems.push(`Crmoffice ${type} ${id}: neither seeded nor the counterpart of a Customerp record`);
      if (!link || link.deletedAt) return void problems.push(`Crmoffice ${type} ${id}: no live link`);
      if (!link.customerp) crmOnly += 1;
    });
  }

  const live = await store.count({});
  const expectedLive = customerpLinks.length + crmOnly;
  if (live !== expectedLive)
    problems.push(
      `${live} live links, expected ${expectedLive} (one per Customerp record and per Crmoffice-only record)`,
    );
  return problems;
}
