import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import { gql, listAll } from '../support/graphql.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

interface CrmContact {
  id: string;
  email: string;
}
interface Project {
  id: string;
  name: string;
  managerId: string | null;
}

describe('SyncEngine, deferred references', () => {
  let world: SyncWorld;

  beforeAll(async () => {
    world = await startSyncWorld('deferred');
    await world.engine.runOnce();
  });

  afterAll(() => world.close());

  it('holds back projects whose manager is not linked, and links them once the manager is', async () => {
    const cp = world.systems.customerpServer.url;
    const crm = world.systems.crmofficeServer.url;
    // The seeded ambiguous match: two Crmoffice contacts carry one employee's e-mail.
    const contacts = await listAll<CrmContact>(crm, 'contacts', 'id email');
    const duplicates = contacts.filter(
      (c, _, all) => all.filter((o) => o.email.toLowerCase() === c.email.toLowerCase()).length > 1,
    );
    expect(duplicates).toHaveLength(2);
    const employees = await listAll<{ id: string; email: string }>(cp, 'employees', 'id email');
    const employee = employees.find((e) => e.email.toLowerCase() === duplicates[0]?.email.toLowerCase());
    const projects = (await listAll<Project>(cp, 'projects', 'id name managerId')).filter(
      (p) => p.managerId === employee?.id,
    );
    expect(projects.length).toBeGreaterThan(0);

    const employeeLink = await world.links.findByRef('CUSTOMERP', { type: 'Employee', id: employee?.id as string });
    expect(employeeLink).toMatchObject({ state: 'CONFLICT', crmoffice: null });
    expect(employeeLink?.conflicts).toMatchObject([
      { field: 'identity', crmofficeValue: duplicates.map((d) => d.id).sort(), kept: null, resolvedAt: null },
    ]);
    const waiting = await world.links.findByRefs(
      'CUSTOMERP',
      projects.map((p) => ({ type: 'Project' as const, id: p.id })),
    );
    expect(waiting.map((l) => [l?.state, l?.crmoffice])).toEqual(projects.map(() => ['PENDING', null]));
    const subjects = (await listAll<{ subject: string }>(crm, 'activities', 'subject')).map((a) => a.subject);
    expect(projects.filter((p) => subjects.includes(p.name))).toEqual([]); // nothing dangling was written

    // A person removes the duplicate in Crmoffice: the next pass links the employee, then its projects.
    const [keep, drop] = duplicates as [CrmContact, CrmContact];
    await gql(crm, 'mutation($id: ID!) { deleteContact(id: $id) }', { id: drop.id });
    await world.engine.runOnce();

    const linked = await world.links.findByRef('CUSTOMERP', { type: 'Employee', id: employee?.id as string });
    expect(linked).toMatchObject({ state: 'IN_SYNC', crmoffice: { type: 'Contact', id: keep.id }, kind: 'EMPLOYEE' });
    expect(linked?.conflicts[0]?.resolvedAt).toBeInstanceOf(Date);
    const done = await world.links.findByRefs(
      'CUSTOMERP',
      projects.map((p) => ({ type: 'Project' as const, id: p.id })),
    );
    expect(done.map((l) => l?.state)).toEqual(projects.map(() => 'IN_SYNC'));
    const activities = await Promise.all(
      done.map((l) =>
        gql<{ activity: { subject: string; ownerContactId: string } }>(
          crm,
          'query($id: ID!) { activity(id: $id) { subject ownerContactId } }',
          { id: l?.crmoffice?.id },
        ),
      ),
    );
    expect(activities.map((a) => a.activity)).toEqual(
      projects.map((p) => ({ subject: p.name, ownerContactId: keep.id })),
    );
  });
});

describe('SyncEngine, deletes', () => {
  let world: SyncWorld;
  let employees: Link[];
  let companies: Link[];

  beforeAll(async () => {
    world = await startSyncWorld('deletes');
    await world.engine.runOnce();
    await world.engine.runOnce();
    employees = (await world.linksOf('Contact', 'EMPLOYEE')).filter((l) => l.customerp && l.crmoffice);
    companies = (await world.linksOf('Company')).filter((l) => l.customerp && l.crmoffice);
  });

  afterAll(() => world.close());

  it('deletes the Crmoffice counterpart of a record deleted in Customerp and keeps the link, marked deleted', async () => {
    const link = employees[0] as Link;
    await gql(world.systems.customerpServer.url, 'mutation($id: ID!) { deleteEmployee(id: $id) }', {
      id: link.customerp?.id,
    });
    const summary = await world.engine.runOnce();
    expect(summary.totals.deleted).toBe(1);
    expect(
      await gql(world.systems.crmofficeServer.url, 'query($id: ID!) { contact(id: $id) { id } }', {
        id: link.crmoffice?.id,
      }),
    ).toEqual({ contact: null });
    expect((await world.links.findById(link._id))?.deletedAt).toBeInstanceOf(Date);
  });

  it('deletes the Customerp counterpart of a record deleted in Crmoffice', async () => {
    const link = companies[0] as Link;
    await gql(world.systems.crmofficeServer.url, 'mutation($id: ID!) { deleteCompany(id: $id) }', {
      id: link.crmoffice?.id,
    });
    const summary = await world.engine.runOnce();
    expect(summary.totals.deleted).toBe(1);
    expect(
      await gql(world.systems.customerpServer.url, 'query($id: ID!) { product(id: $id) { id } }', {
        id: link.customerp?.id,
      }),
    ).toEqual({ product: null });
    expect((await world.links.findById(link._id))?.deletedAt).toBeInstanceOf(Date);
  });
});
