import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SyncSummary } from '../../src/sync/index.js';
import { listAll } from '../support/graphql.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

interface Person {
  id: string;
  email: string;
}
interface Project {
  id: string;
  name: string;
  managerId: string | null;
}

/**
 * The first pass over the seeded demo data: every Customerp record gets exactly one counterpart,
 * found by identity key where Crmoffice already has it, created there otherwise.
 */
describe('SyncEngine backfill', () => {
  let world: SyncWorld;
  let first: SyncSummary;
  const seeded = {
    contacts: [] as Person[],
    companies: [] as { id: string; code: string }[],
    activities: [] as { id: string }[],
  };
  let customerp: {
    employees: Person[];
    contacts: Person[];
    products: { id: string; sku: string }[];
    projects: Project[];
  };

  beforeAll(async () => {
    world = await startSyncWorld('backfill');
    const crm = world.systems.crmofficeServer.url;
    const cp = world.systems.customerpServer.url;
    seeded.contacts = await listAll<Person>(crm, 'contacts', 'id email');
    seeded.companies = await listAll(crm, 'companies', 'id code');
    seeded.activities = await listAll(crm, 'activities', 'id');
    customerp = {
      employees: await listAll<Person>(cp, 'employees', 'id email'),
      contacts: await listAll<Person>(cp, 'contacts', 'id email'),
      products: await listAll(cp, 'products', 'id sku'),
      projects: await listAll<Project>(cp, 'projects', 'id name managerId'),
    };
    first = await world.engine.runOnce();
  });

  afterAll(() => world.close());

  /** E-mails that more than one seeded Crmoffice contact carries: those matches are ambiguous. */
  function ambiguousEmails(): Set<string> {
    const counts = new Map<string, number>();
    for (const c of seeded.contacts) counts.set(c.email.toLowerCase(), (counts.get(c.email.toLowerCase()) ?? 0) + 1);
    return new Set([...counts].filter(([, n]) => n > 1).map(([email]) => email));
  }

  it('reports no blocked feed and no error', () => {
    expect(first.feeds.filter((f) => f.blocked)).toEqual([]);
    expect(first.totals.errors).toBe(0);
  });

  it('gives every Customerp record exactly one link, with a Crmoffice side unless its match is ambiguous or deferred', async () => {
    const ambiguous = ambiguousEmails();
    expect(ambiguous.size).toBe(1);
    const ambiguousEmployees = new Set(
      customerp.employees.filter((e) => ambiguous.has(e.email.toLowerCase())).map((e) => e.id),
    );
    const deferredProjects = new Set(
      customerp.projects.filter((p) => p.managerId && ambiguousEmployees.has(p.managerId)).map((p) => p.id),
    );

    const cases: [type: 'Employee' | 'Contact' | 'Product' | 'Project', ids: string[]][] = [
      ['Employee', customerp.employees.map((r) => r.id)],
      ['Contact', customerp.contacts.map((r) => r.id)],
      ['Product', customerp.products.map((r) => r.id)],
      ['Project', customerp.projects.map((r) => r.id)],
    ];
    for (const [type, ids] of cases) {
      const links = await world.links.findByRefs(
        'CUSTOMERP',
        ids.map((id) => ({ type, id })),
      );
      const states = links.map((link, i) => {
        const id = ids[i] as string;
        if (!link) return `${id}: no link`;
        if (ambiguousEmployees.has(id))
          return link.state === 'CONFLICT' && !link.crmoffice ? 'ok' : `${id}: ${link.state}`;
        if (deferredProjects.has(id))
          return link.state === 'PENDING' && !link.crmoffice ? 'ok' : `${id}: ${link.state}`;
        return link.crmoffice && link.state === 'IN_SYNC'
          ? 'ok'
          : `${id}: ${link.state} ${JSON.stringify(link.crmoffice)}`;
      });
      expect(states.filter((s) => s !== 'ok')).toEqual([]);
    }
  });

  it('links the Crmoffice records that already matched by identity key instead of creating duplicates', async () => {
    const ambiguous = ambiguousEmails();
    const byEmail = new Map(seeded.contacts.map((c) => [c.email.toLowerCase(), c.id]));
    const matchedEmployees = customerp.employees.filter(
      (e) => byEmail.has(e.email.toLowerCase()) && !ambiguous.has(e.email.toLowerCase()),
    );
    expect(matchedEmployees.length).toBeGreaterThan(5);
    const links = await world.links.findByRefs(
      'CUSTOMERP',
      matchedEmployees.map((e) => ({ type: 'Employee' as const, id: e.id })),
    );
    expect(links.map((l) => l?.crmoffice?.id)).toEqual(matchedEmployees.map((e) => byEmail.get(e.email.toLowerCase())));

    const bySku = new Map(seeded.companies.map((c) => [c.code, c.id]));
    const matchedProducts = customerp.products.filter((p) => bySku.has(p.sku));
    const productLinks = await world.links.findByRefs(
      'CUSTOMERP',
      matchedProducts.map((p) => ({ type: 'Product' as const, id: p.id })),
    );
    expect(productLinks.map((l) => l?.crmoffice?.id)).toEqual(matchedProducts.map((p) => bySku.get(p.sku)));
    expect(first.totals.linked).toBe(first.feeds.reduce((sum, f) => sum + f.linked, 0));
  });

  it('creates exactly the missing counterparts: no Crmoffice e-mail or code appears twice but the seeded ambiguous pair', async () => {
    const crm = world.systems.crmofficeServer.url;
    const contacts = await listAll<Person>(crm, 'contacts', 'id email');
    const companies = await listAll<{ id: string; code: string }>(crm, 'companies', 'id code');
    const activities = await listAll<{ id: string }>(crm, 'activities', 'id');
    expect(contacts.length + companies.length + activities.length).toBe(
      seeded.contacts.length + seeded.companies.length + seeded.activities.length + first.totals.created,
    );
    const emails = contacts.map((c) => c.email.toLowerCase());
    const repeated = [...new Set(emails.filter((e, i) => emails.indexOf(e) !== i))];
    expect(repeated).toEqual([...ambiguousEmails()]);
    expect(new Set(companies.map((c) => c.code)).size).toBe(companies.length);
  });

  it('gives every Crmoffice record exactly one link; Crmoffice-only contacts are CRM_ONLY half links', async () => {
    const crm = world.systems.crmofficeServer.url;
    for (const [type, field] of [
      ['Contact', 'contacts'],
      ['Company', 'companies'],
      ['Activity', 'activities'],
    ] as const) {
      const records = await listAll<{ id: string }>(crm, field, 'id');
      const links = await world.links.findByRefs(
        'CRMOFFICE',
        records.map((r) => ({ type, id: r.id })),
      );
      expect(links.filter((l) => l === null)).toEqual([]);
    }
    const crmOnly = await world.linksOf('Contact', 'CRM_ONLY');
    expect(crmOnly.every((l) => l.customerp === null && l.crmoffice !== null)).toBe(true);
    expect(crmOnly.length).toBe(first.feeds.find((f) => f.feed === 'crmoffice:CONTACTS')?.tracked);
  });

  it('writes nothing on either system in a second pass', async () => {
    await world.systems.resetStats();
    const second = await world.engine.runOnce();
    expect(await world.systems.writes()).toEqual({ customerp: 0, crmoffice: 0 });
    expect(second.totals).toMatchObject({ created: 0, linked: 0, tracked: 0, updated: 0, deleted: 0, errors: 0 });
    // The feeds still brought the echoes of the first pass's own writes: recognised, not written back.
    expect(second.totals.unchanged).toBeGreaterThan(0);
  });
});
