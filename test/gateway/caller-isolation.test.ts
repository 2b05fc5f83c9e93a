import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Authenticate, Scope } from '../../src/auth/principal.js';
import { decodeConflictId } from '../../src/gateway/ids.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { demoSizeOf } from '../../src/reference/core/index.js';
import { setupOperationIndexes } from '../../src/writes/index.js';
import { editRecord } from '../support/edits.js';
import { startSyncWorld, type SyncWorld } from '../support/world.js';

// Callers stay apart (issue #13): idempotency keys are each caller's own and the gateway's internal
// keys are out of every client's reach; sync:admin alone neither reads nor writes record values.
// Each request says who it is: `Bearer <subject>|<scope,scope>`.

const authenticate: Authenticate = async (authorization) => {
  const match = /^Bearer ([^|]+)\|(.*)$/s.exec(authorization ?? '');
  if (!match) throw new Error('every request of this suite carries Bearer <subject>|<scopes>');
  const scopes = match[2] === '' ? [] : (match[2] ?? '').split(',');
  return { subject: match[1] as string, kind: 'api-key', scopes: new Set(scopes) as ReadonlySet<Scope> };
};

interface Answer<T> {
  data: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

interface ConflictNode {
  id: string;
  field: string;
  record: { id: string } | null;
}

describe('callers kept apart', () => {
  let world: SyncWorld;
  let gateway: RunningGateway;
  let conflict: ConflictNode;

  const as = async <T>(caller: string, scopes: Scope[], query: string): Promise<Answer<T>> => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${caller}|${scopes.join(',')}` },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as Answer<T>;
  };
  const OPERATOR: Scope[] = ['sync:admin', 'contacts:read', 'contacts:write'];

  beforeAll(async () => {
    world = await startSyncWorld('caller isolation', { seed: demoSizeOf(60) });
    await setupOperationIndexes(world.database.db);
    await world.engine.runOnce();
    // One open conflict on a named employee: its department changed in both systems before sync saw either.
    // The lowest-numbered linked employee (linksOf orders by seeded record, never by storage order).
    const employee = (await world.linksOf('Contact', 'EMPLOYEE')).find((l) => l.customerp && l.crmoffice);
    if (!employee?.customerp || !employee.crmoffice) throw new Error('no linked employee');
    await editRecord(world.systems.customerp, 'Employee', employee.customerp.id, { department: 'From Customerp' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await editRecord(world.systems.crmoffice, 'Contact', employee.crmoffice.id, { department: 'From Crmoffice' });
    await world.engine.runOnce();
    gateway = await startGateway({
      dependencies: {
        db: world.database.db,
        customerp: world.systems.customerp.client,
        crmoffice: world.systems.crmoffice.client,
      },
      mode: 'test',
      authenticate,
    });
    const { data } = await as<{ conflicts: { nodes: ConflictNode[] } }>(
      'operator',
      OPERATOR,
      '{ conflicts(open: true, first: 50) { nodes { id field record { id } } } }',
    );
    conflict = data?.conflicts.nodes.find((c) => c.field === 'department') as ConflictNode;
    expect(conflict).toBeDefined();
  });

  afterAll(async () => {
    await gateway?.close();
    await world?.close();
  });

  it('gives two callers sending one idempotency key two records, and each its own first answer on a retry', async () => {
    const create = (caller: string, email: string) =>
      as<{ createContact: { contact: { id: string; email: string } } }>(
        caller,
        ['contacts:write', 'contacts:read'],
        `mutation { createContact(input: { kind: CUSTOMER_CONTACT, firstName: "Same", lastName: "Key", email: "${email}", idempotencyKey: "shared-key" }) { contact { id email } } }`,
      );
    const [alice, bob] = await Promise.all([create('alice', 'alice@example.org'), create('bob', 'bob@example.org')]);
    expect(alice.errors).toBeUndefined();
    expect(bob.errors).toBeUndefined();
    expect(alice.data?.createContact.contact.email).toBe('alice@example.org');
    expect(bob.data?.createContact.contact.email).toBe('bob@example.org');
    expect(alice.data?.createContact.contact.id).not.toBe(bob.data?.createContact.contact.id);
    // A retry is answered from the caller's own first answer.
    const again = await create('alice', 'alice@example.org');
    expect(again.data?.createContact.contact.id).toBe(alice.data?.createContact.contact.id);
  });

  it('refuses sync:admin alone the conflict values and resolveConflict on a contact, writing nothing', async () => {
    const values = await as<{ conflicts: { nodes: { id: string; customerpValue: unknown }[] } }>(
      'admin-only',
      ['sync:admin'],
      '{ conflicts(open: true, first: 50) { nodes { id customerpValue } } }',
    );
    const ours = values.data?.conflicts.nodes.find((n) => n.id === conflict.id);
    expect(ours?.customerpValue).toBeNull();
    expect(values.errors).toContainEqual(
      expect.objectContaining({
        message: 'Not allowed: Conflict.customerpValue of a Contact requires contacts:read',
        extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
      }),
    );
    const resolve = await as(
      'admin-only',
      ['sync:admin'],
      `mutation { resolveConflict(id: "${conflict.id}", keep: CUSTOMERP) { operationId } }`,
    );
    expect(resolve).toEqual({
      data: null,
      errors: [
        expect.objectContaining({
          message: 'Not allowed: resolveConflict on a Contact requires contacts:write',
          extensions: expect.objectContaining({ code: 'FORBIDDEN' }),
        }),
      ],
    });
    const parts = decodeConflictId(conflict.id);
    const link = await world.links.findById(parts?.linkId as string);
    expect(link?.conflicts.find((c) => c.id === parts?.conflictId)?.resolvedAt).toBeNull();
  });

  it('keeps internal keys out of reach: a client sending resolveConflict’s key first does not block the operator', async () => {
    const parts = decodeConflictId(conflict.id);
    const squatted = await as(
      'mallory',
      ['contacts:write'],
      `mutation { updateContact(id: "${conflict.record?.id}", input: { title: "Squatter", idempotencyKey: "resolveConflict:${parts?.linkId}:${parts?.conflictId}" }) { operationId } }`,
    );
    expect(squatted.errors).toBeUndefined();
    const resolved = await as<{ resolveConflict: { conflict: { kept: string; resolvedAt: string | null } } }>(
      'operator',
      OPERATOR,
      `mutation { resolveConflict(id: "${conflict.id}", keep: CUSTOMERP) { conflict { kept resolvedAt } } }`,
    );
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data?.resolveConflict.conflict).toEqual({ kept: 'CUSTOMERP', resolvedAt: expect.any(String) });
  });
});
