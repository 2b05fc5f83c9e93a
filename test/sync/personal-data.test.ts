import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Document } from 'mongodb';
import { encodeUnifiedId, LINKS_COLLECTION, type Link } from '../../src/links/index.js';
import { startOpsWorld, type OpsWorld } from '../ops/ops-world.js';
import { gql } from '../support/graphql.js';

/**
 * Link documents an operator can read (issue #14 item 7): after sync has linked every demo record, no
 * link document in MongoDB holds an e-mail, phone or mobile value of any record of either system, yet
 * the three-way merge still tells which side changed such a field, the email filter still finds a
 * contact, and a conflict on a phone number shows (and keeps) the systems' live values.
 */

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const tick = () => new Promise((resolve) => setTimeout(resolve, 5)); // modification times must differ

let ops: OpsWorld;

beforeAll(async () => {
  ops = await startOpsWorld('personal data in links');
  await ops.syncPass();
  await ops.syncPass();
});

afterAll(() => ops.close());

interface PersonalFields {
  email?: string | null;
  phone?: string | null;
  mobile?: string | null;
  mobilePhone?: string | null;
}

/** Every e-mail, phone and mobile value either system holds for a person, read from the systems themselves. */
async function personalValues(): Promise<string[]> {
  const customerp = ops.world.systems.customerpServer.url;
  const crmoffice = ops.world.systems.crmofficeServer.url;
  const { employees, contacts } = await gql<{
    employees: { nodes: PersonalFields[] };
    contacts: { nodes: PersonalFields[] };
  }>(
    customerp,
    '{ employees(first: 1000) { nodes { email phone mobile } } contacts(first: 1000) { nodes { email phone } } }',
  );
  const crm = await gql<{ contacts: { nodes: PersonalFields[] } }>(
    crmoffice,
    '{ contacts(first: 1000) { nodes { email phone mobilePhone } } }',
  );
  return [...employees.nodes, ...contacts.nodes, ...crm.contacts.nodes]
    .flatMap((record) => [record.email, record.phone, record.mobile, record.mobilePhone])
    .filter((value): value is string => typeof value === 'string' && value !== '');
}

async function rawLinks(): Promise<Document[]> {
  return ops.world.database.db.collection(LINKS_COLLECTION).find({}).toArray();
}

async function employeeLink(customerpId: string): Promise<Link> {
  const link = await ops.world.links.findByRef('CUSTOMERP', { type: 'Employee', id: customerpId });
  if (!link?.crmoffice) throw new Error(`${customerpId} should be linked to a Crmoffice contact`);
  return link;
}

describe('link documents keep no personal data', () => {
  it('hold no e-mail, phone or mobile value of any record, and digests where the snapshot has those fields', async () => {
    const values = await personalValues();
    expect(values.length).toBeGreaterThan(100); // the demo people: the check below has something to find
    const documents = await rawLinks();
    expect(documents.length).toBeGreaterThan(100);
    const stored = JSON.stringify(documents).toLowerCase();
    const leaked = values.filter((value) => stored.includes(value.toLowerCase()));
    expect(leaked).toEqual([]);

    const contacts = documents.filter((doc) => doc['entity'] === 'Contact' && doc['snapshot']);
    expect(contacts.length).toBeGreaterThan(50);
    for (const doc of contacts) {
      const snapshot = doc['snapshot'] as Record<string, unknown>;
      expect(snapshot['email']).toMatch(DIGEST);
      expect((doc['keys'] as Record<string, unknown>)['email']).toMatch(DIGEST);
    }
  });

  it('still syncs an e-mail changed in one system, and the email filter finds it in any letter case', async () => {
    const link = await employeeLink('emp-3');
    await gql(
      ops.world.systems.customerpServer.url,
      'mutation($id: ID!) { updateEmployee(id: $id, input: { email: "Renamed.Person@Example.org" }) { id } }',
      { id: link.customerp?.id },
    );
    await ops.syncPass();

    const { contact } = await gql<{ contact: { email: string } }>(
      ops.world.systems.crmofficeServer.url,
      'query($id: ID!) { contact(id: $id) { email } }',
      { id: link.crmoffice?.id },
    );
    expect(contact.email).toBe('Renamed.Person@Example.org');
    const found = await ops.data<{ contacts: { nodes: { id: string; email: string }[] } }>(
      '{ contacts(filter: { email: "renamed.person@EXAMPLE.org" }) { nodes { id email } } }',
    );
    expect(found.contacts.nodes).toEqual([
      { id: encodeUnifiedId('Contact', link._id), email: 'Renamed.Person@Example.org' },
    ]);
    expect(JSON.stringify(await rawLinks()).toLowerCase()).not.toContain('renamed.person');
  });

  it('shows a phone conflict with both systems live values, stores only digests, and keeps the chosen one', async () => {
    const link = await employeeLink('emp-6');
    await gql(
      ops.world.systems.customerpServer.url,
      'mutation($id: ID!) { updateEmployee(id: $id, input: { phone: "+49 30 1111111" }) { id } }',
      { id: link.customerp?.id },
    );
    await tick();
    await gql(
      ops.world.systems.crmofficeServer.url,
      'mutation($id: ID!) { updateContact(id: $id, data: { phone: "+49 30 2222222" }) { id } }',
      { id: link.crmoffice?.id },
    );
    await ops.syncPass();

    const { conflicts } = await ops.data<{
      conflicts: {
        nodes: {
          id: string;
          field: string;
          customerpValue: unknown;
          crmofficeValue: unknown;
          record: { id: string };
        }[];
      };
    }>('{ conflicts { nodes { id field customerpValue crmofficeValue record { id } } } }');
    const conflict = conflicts.nodes.find((c) => c.record.id === encodeUnifiedId('Contact', link._id));
    // The newer side (Crmoffice) was kept by sync; Customerp now holds it too, and the conflict shows both as they are now.
    expect(conflict).toMatchObject({
      field: 'phone',
      customerpValue: '+49 30 2222222',
      crmofficeValue: '+49 30 2222222',
    });
    const stored = (await ops.world.links.findById(link._id))?.conflicts.find((c) => c.field === 'phone');
    expect(stored?.customerpValue).toMatch(DIGEST);
    expect(stored?.crmofficeValue).toMatch(DIGEST);
    expect(stored?.customerpValue).not.toEqual(stored?.crmofficeValue); // the values as they were at detection

    // An operator restores Customerp's number in Crmoffice, then keeps Customerp's side.
    await gql(
      ops.world.systems.customerpServer.url,
      'mutation($id: ID!) { updateEmployee(id: $id, input: { phone: "+49 30 1111111" }) { id } }',
      { id: link.customerp?.id },
    );
    const live = await ops.data<{ conflicts: { nodes: { id: string; customerpValue: unknown }[] } }>(
      '{ conflicts { nodes { id customerpValue } } }',
    );
    expect(live.conflicts.nodes.find((c) => c.id === conflict?.id)?.customerpValue).toBe('+49 30 1111111');
    await ops.data('mutation($id: ID!) { resolveConflict(id: $id, keep: CUSTOMERP) { conflict { kept } } }', {
      id: conflict?.id,
    });
    const { contact } = await gql<{ contact: { phone: string } }>(
      ops.world.systems.crmofficeServer.url,
      'query($id: ID!) { contact(id: $id) { phone } }',
      { id: link.crmoffice?.id },
    );
    expect(contact.phone).toBe('+49 30 1111111');
  });
});
