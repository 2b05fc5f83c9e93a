import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql, type GraphQLSchema } from 'graphql';
import { buildGatewaySchema, createContext, type GatewayDependencies } from '../../src/gateway/index.js';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * The Mutation resolvers in the gateway schema: payload records are resolved from both systems after
 * the write (read-your-writes), errors keep their codes and fields.
 */

let world: WriteWorld;
let schema: GraphQLSchema;
let dependencies: GatewayDependencies;

beforeAll(async () => {
  world = await startWriteWorld('write resolvers');
  schema = buildGatewaySchema();
  dependencies = {
    db: world.world.database.db,
    customerp: world.world.systems.customerp.client,
    crmoffice: world.world.systems.crmoffice.client,
    writeThrough: world.writes,
    syncNow: async () => {
      await world.world.engine.runOnce();
    },
  };
});

afterAll(() => world.close());

async function run(source: string, variableValues: Record<string, unknown> = {}) {
  const contextValue = createContext(dependencies);
  const result = await graphql({ schema, source, variableValues, contextValue });
  return JSON.parse(JSON.stringify(result)) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
  };
}

const CONTACT_FIELDS = `
  id kind firstName lastName email title
  customerp { ... on CustomerpEmployee { id email jobTitle } }
  crmoffice { id email title contactType }
  sync { state }`;

describe('Mutation resolvers', () => {
  it('answers createContact with the contact read back from both systems and the writes', async () => {
    const result = await run(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { ${CONTACT_FIELDS} } writes { system state error } operationId } }`,
      {
        input: {
          kind: 'EMPLOYEE',
          firstName: 'Gina',
          lastName: 'Graph',
          email: 'gina.graph@example.org',
          title: 'Analyst',
        },
      },
    );
    expect(result.errors).toBeUndefined();
    const payload = result.data?.['createContact'] as { contact: Record<string, unknown>; operationId: string };
    const link = await world.linkOf((await world.operations.findById(payload.operationId))?.linkId ?? null);
    expect(payload).toEqual({
      contact: {
        id: encodeUnifiedId('Contact', link._id),
        kind: 'EMPLOYEE',
        firstName: 'Gina',
        lastName: 'Graph',
        email: 'gina.graph@example.org',
        title: 'Analyst',
        customerp: { id: link.customerp?.id, email: 'gina.graph@example.org', jobTitle: 'Analyst' },
        crmoffice: {
          id: link.crmoffice?.id,
          email: 'gina.graph@example.org',
          title: 'Analyst',
          contactType: 'EMPLOYEE',
        },
        sync: { state: 'IN_SYNC' },
      },
      writes: [
        { system: 'CUSTOMERP', state: 'APPLIED', error: null },
        { system: 'CRMOFFICE', state: 'APPLIED', error: null },
      ],
      operationId: expect.any(String),
    });
  });

  it('reads each record after its own write, also for two updates in one request', async () => {
    const [pair] = (await world.pairs('Contact', 'EMPLOYEE')) as [Link];
    const id = encodeUnifiedId('Contact', pair._id);
    const select = '{ contact { title customerp { ... on CustomerpEmployee { jobTitle } } crmoffice { title } } }';
    const result = await run(
      `mutation($id: ID!) {
      before: updateContact(id: $id, input: { title: "First" }) ${select}
      after: updateContact(id: $id, input: { title: "Second" }) ${select}
    }`,
      { id },
    );
    expect(result).toEqual({
      data: {
        before: { contact: { title: 'First', customerp: { jobTitle: 'First' }, crmoffice: { title: 'First' } } },
        after: { contact: { title: 'Second', customerp: { jobTitle: 'Second' }, crmoffice: { title: 'Second' } } },
      },
    });
  });

  it('answers bad input with BAD_USER_INPUT naming the field', async () => {
    const result = await run('mutation { createCompany(input: { name: "No Code" }) { company { id } } }');
    expect(result).toEqual({
      data: null,
      errors: [
        {
          message: 'code is required',
          locations: [{ line: 1, column: 12 }],
          path: ['createCompany'],
          extensions: { code: 'BAD_USER_INPUT', field: 'code' },
        },
      ],
    });
  });

  it('answers deletes with the id and the writes, and syncNow with where sync stands', async () => {
    const created = await world.writes.createCompany({ name: 'Deleted By Resolver', code: 'SKU-RESOLVER-1' });
    const result = await run(
      'mutation($id: ID!) { deleteCompany(id: $id) { id writes { system state } } syncNow { pendingOperations } }',
      { id: created.id },
    );
    expect(result).toEqual({
      data: {
        deleteCompany: {
          id: created.id,
          writes: [
            { system: 'CUSTOMERP', state: 'APPLIED' },
            { system: 'CRMOFFICE', state: 'APPLIED' },
          ],
        },
        syncNow: { pendingOperations: 0 },
      },
    });
  });
});
