import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import { FEEDS } from '../../src/reconcile/index.js';
import { gql } from '../support/graphql.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

const UPDATE_EMPLOYEE =
  'mutation($id: ID!, $input: EmployeeUpdateInput!) { updateEmployee(id: $id, input: $input) { id } }';
const READ_EMPLOYEE = 'query($id: ID!) { employee(id: $id) { firstName jobTitle department } }';
const UPDATE_CONTACT = 'mutation($id: ID!, $data: ContactUpdateInput!) { updateContact(id: $id, data: $data) { id } }';
const READ_CONTACT = 'query($id: ID!) { contact(id: $id) { firstName title department } }';
const UPDATE_PROJECT =
  'mutation($id: ID!, $input: ProjectUpdateInput!) { updateProject(id: $id, input: $input) { id } }';
const READ_PROJECT = 'query($id: ID!) { project(id: $id) { status description } }';
const UPDATE_ACTIVITY =
  'mutation($id: ID!, $data: ActivityUpdateInput!) { updateActivity(id: $id, data: $data) { id } }';
const READ_ACTIVITY = 'query($id: ID!) { activity(id: $id) { status description } }';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5)); // modification times must differ

async function syncedWorld(
  name: string,
  feeds = FEEDS,
): Promise<{ world: SyncWorld; employees: Link[]; projects: Link[] }> {
  const world = await startSyncWorld(name, { engine: { feeds } });
  await world.engine.runOnce();
  await world.engine.runOnce();
  const byCustomerpId = (a: Link, b: Link) =>
    (a.customerp?.id ?? '').localeCompare(b.customerp?.id ?? '', 'en', { numeric: true });
  const employees = (await world.linksOf('Contact', 'EMPLOYEE'))
    .filter((l) => l.customerp && l.crmoffice && l.state === 'IN_SYNC')
    .sort(byCustomerpId);
  const projects = (await world.linksOf('Activity')).filter((l) => l.customerp && l.crmoffice && l.state === 'IN_SYNC');
  return { world, employees, projects };
}

function editEmployee(world: SyncWorld, link: Link, input: Record<string, unknown>) {
  return gql(world.systems.customerpServer.url, UPDATE_EMPLOYEE, { id: link.customerp?.id, input });
}

function editContact(world: SyncWorld, link: Link, data: Record<string, unknown>) {
  return gql(world.systems.crmofficeServer.url, UPDATE_CONTACT, { id: link.crmoffice?.id, data });
}

async function bothSides(world: SyncWorld, link: Link) {
  const { employee } = await gql<{ employee: Record<string, unknown> }>(
    world.systems.customerpServer.url,
    READ_EMPLOYEE,
    { id: link.customerp?.id },
  );
  const { contact } = await gql<{ contact: Record<string, unknown> }>(world.systems.crmofficeServer.url, READ_CONTACT, {
    id: link.crmoffice?.id,
  });
  return { employee, contact };
}

describe('SyncEngine, concurrent edits of one linked pair', () => {
  let world: SyncWorld;
  let employees: Link[];

  beforeAll(async () => {
    ({ world, employees } = await syncedWorld('conflicts'));
  });

  afterAll(() => world.close());

  it('keeps both edits when the two systems changed different fields', async () => {
    const link = employees[0] as Link;
    await editEmployee(world, link, { firstName: 'Edited-in-Customerp' });
    await editContact(world, link, { title: 'Edited in Crmoffice' });
    await world.engine.runOnce();
    expect(await bothSides(world, link)).toMatchObject({
      employee: { firstName: 'Edited-in-Customerp', jobTitle: 'Edited in Crmoffice' },
      contact: { firstName: 'Edited-in-Customerp', title: 'Edited in Crmoffice' },
    });
    expect((await world.links.findById(link._id))?.state).toBe('IN_SYNC');
  });

  it('settles a same-field conflict on the newer edit and records both values', async () => {
    const link = employees[1] as Link;
    await editEmployee(world, link, { department: 'Sales (edited in Customerp)' });
    await tick();
    await editContact(world, link, { department: 'Support (edited in Crmoffice)' });
    await world.engine.runOnce();
    expect(await bothSides(world, link)).toMatchObject({
      employee: { department: 'Support (edited in Crmoffice)' },
      contact: { department: 'Support (edited in Crmoffice)' },
    });
    const after = await world.links.findById(link._id);
    expect(after?.state).toBe('CONFLICT');
    expect(
      after?.conflicts.map(({ field, customerpValue, crmofficeValue, kept, resolvedAt }) => ({
        field,
        customerpValue,
        crmofficeValue,
        kept,
        resolvedAt,
      })),
    ).toEqual([
      {
        field: 'department',
        customerpValue: 'Sales (edited in Customerp)',
        crmofficeValue: 'Support (edited in Crmoffice)',
        kept: 'CRMOFFICE',
        resolvedAt: null,
      },
    ]);
  });

  it('lets a newer Customerp edit win the same way', async () => {
    const link = employees[2] as Link;
    await editContact(world, link, { department: 'Legal (edited in Crmoffice)' });
    await tick();
    await editEmployee(world, link, { department: 'Research (edited in Customerp)' });
    await world.engine.runOnce();
    expect(await bothSides(world, link)).toMatchObject({
      employee: { department: 'Research (edited in Customerp)' },
      contact: { department: 'Research (edited in Customerp)' },
    });
    expect((await world.links.findById(link._id))?.conflicts).toMatchObject([
      {
        field: 'department',
        customerpValue: 'Research (edited in Customerp)',
        crmofficeValue: 'Legal (edited in Crmoffice)',
        kept: 'CUSTOMERP',
      },
    ]);
  });
});

describe('SyncEngine, conflict outcome whatever the feed order', () => {
  it('gives the same winner when Crmoffice feeds are pulled before Customerp feeds', async () => {
    const outcomes: unknown[] = [];
    for (const order of [FEEDS, [...FEEDS].reverse()]) {
      const { world, employees } = await syncedWorld(`order ${outcomes.length}`, order);
      try {
        const [a, b] = employees as [Link, Link];
        await editEmployee(world, a, { department: 'Early Customerp' });
        await tick();
        await editContact(world, a, { department: 'Late Crmoffice' });
        await editContact(world, b, { department: 'Early Crmoffice' });
        await tick();
        await editEmployee(world, b, { department: 'Late Customerp' });
        await world.engine.runOnce();
        const links = await Promise.all([a, b].map((l) => world.links.findById(l._id)));
        outcomes.push({
          records: [a, b].map((l) => l.customerp?.id),
          sides: await Promise.all([a, b].map((l) => bothSides(world, l))),
          conflicts: links.map((l) => l?.conflicts.map((c) => [c.field, c.customerpValue, c.crmofficeValue, c.kept])),
        });
      } finally {
        await world.close();
      }
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toMatchObject({
      sides: [{ employee: { department: 'Late Crmoffice' } }, { contact: { department: 'Late Customerp' } }],
      conflicts: [
        [['department', 'Early Customerp', 'Late Crmoffice', 'CRMOFFICE']],
        [['department', 'Late Customerp', 'Early Crmoffice', 'CUSTOMERP']],
      ],
    });
  });
});

describe('SyncEngine, lossy project status map', () => {
  let world: SyncWorld;
  let projects: Link[];

  beforeAll(async () => {
    ({ world, projects } = await syncedWorld('lossy'));
  });

  afterAll(() => world.close());

  it('keeps ON_HOLD in Customerp through a round trip of IN_PROGRESS from Crmoffice', async () => {
    const link = projects[0] as Link;
    const cp = world.systems.customerpServer.url;
    const crm = world.systems.crmofficeServer.url;
    await gql(cp, UPDATE_PROJECT, { id: link.customerp?.id, input: { status: 'ON_HOLD' } });
    await world.engine.runOnce();
    expect(await gql(crm, READ_ACTIVITY, { id: link.crmoffice?.id })).toMatchObject({
      activity: { status: 'IN_PROGRESS' },
    });

    // Crmoffice sends the record back (another field edited): IN_PROGRESS must not flip ON_HOLD to ACTIVE.
    await gql(crm, UPDATE_ACTIVITY, { id: link.crmoffice?.id, data: { description: 'touched in Crmoffice' } });
    await world.engine.runOnce();
    await world.engine.runOnce();
    expect(await gql(cp, READ_PROJECT, { id: link.customerp?.id })).toEqual({
      project: { status: 'ON_HOLD', description: 'touched in Crmoffice' },
    });

    // A real change of status in Crmoffice still arrives.
    await gql(crm, UPDATE_ACTIVITY, { id: link.crmoffice?.id, data: { status: 'DONE' } });
    await world.engine.runOnce();
    expect(await gql(cp, READ_PROJECT, { id: link.customerp?.id })).toMatchObject({ project: { status: 'COMPLETED' } });
  });
});
