import { describe, expect, it } from '@jest/globals';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, type GraphQLSchema } from 'graphql';
import type { Principal, Scope } from '../../src/auth/principal.js';
import { authDirectiveTransformer, fieldScopes, rootFieldScopes } from '../../src/gateway/authorization/index.js';

/** authDirectiveTransformer on small schemas of its own: what it guards, and what it refuses to build. */

const AUTH = 'directive @auth(requires: [String!]!) on FIELD_DEFINITION | OBJECT';

const typeDefs = `
  ${AUTH}
  type Query {
    ping: String @auth(requires: [])
    secret: Secret @auth(requires: ["contacts:read"])
    secrets: [Secret!]! @auth(requires: ["contacts:read"])
  }
  type Secret @auth(requires: ["contacts:read"]) {
    name: String
    code: String!
    owner: Owner @auth(requires: ["companies:read"])
  }
  type Owner {
    name: String
  }
`;

/** The schema with resolvers that record each call, so a test sees which ones ran. */
function guardedSchema(): [GraphQLSchema, string[]] {
  const calls: string[] = [];
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Query: {
        ping: () => 'pong',
        secret: () => (calls.push('Query.secret'), { name: 'Ada', code: 'S-1', owner: { name: 'Acme' } }),
        secrets: () => (calls.push('Query.secrets'), [{ name: 'Ada', code: 'S-1' }]),
      },
      // name, code and owner keep the default resolver: the guard must wrap it too.
    },
  });
  return [authDirectiveTransformer(schema), calls];
}

function principal(...scopes: Scope[]): Principal {
  return { subject: 'test', kind: 'api-key', scopes: new Set(scopes) };
}

async function run(schema: GraphQLSchema, source: string, contextValue: object) {
  return JSON.parse(JSON.stringify(await graphql({ schema, source, contextValue }))) as unknown;
}

describe('authDirectiveTransformer', () => {
  it("refuses a field whose scopes the caller lacks with FORBIDDEN naming them, before the field's resolver runs", async () => {
    const [schema, calls] = guardedSchema();
    expect(await run(schema, '{ ping secret { name } }', { principal: principal('companies:read') })).toEqual({
      data: { ping: 'pong', secret: null },
      errors: [
        {
          message: 'Not allowed: Query.secret requires contacts:read',
          locations: [{ line: 1, column: 8 }],
          path: ['secret'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
    expect(calls).toEqual([]);
  });

  it("applies an object type's scopes to each of its fields (default resolvers too), on top of a field's own", async () => {
    const [schema, calls] = guardedSchema();
    expect(await run(schema, '{ secret { name owner { name } } }', { principal: principal('contacts:read') })).toEqual({
      data: { secret: { name: 'Ada', owner: null } },
      errors: [
        {
          message: 'Not allowed: Secret.owner requires contacts:read, companies:read',
          locations: [{ line: 1, column: 17 }],
          path: ['secret', 'owner'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
    expect(
      await run(schema, '{ secret { name owner { name } } }', {
        principal: principal('contacts:read', 'companies:read'),
      }),
    ).toEqual({
      data: { secret: { name: 'Ada', owner: { name: 'Acme' } } },
    });
    expect(calls).toEqual(['Query.secret', 'Query.secret']);
  });

  it('lets a denial of a non-null field null its parent, as GraphQL does with any error', async () => {
    const [schema] = guardedSchema();
    expect(await run(schema, '{ ping secrets { code } }', { principal: principal() })).toEqual({
      data: null,
      errors: [
        {
          message: 'Not allowed: Query.secrets requires contacts:read',
          locations: [{ line: 1, column: 8 }],
          path: ['secrets'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  it('treats a context without a principal as one holding no scope', async () => {
    const [schema, calls] = guardedSchema();
    expect(await run(schema, '{ ping secret { name } }', {})).toEqual({
      data: { ping: 'pong', secret: null },
      errors: [
        {
          message: 'Not allowed: Query.secret requires contacts:read',
          locations: [{ line: 1, column: 8 }],
          path: ['secret'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
    expect(calls).toEqual([]);
  });

  it('lists the root fields with their scopes, and every other field that requires one', () => {
    const [schema] = guardedSchema();
    expect(rootFieldScopes(schema)).toEqual([
      { field: 'Query.ping', requires: [] },
      { field: 'Query.secret', requires: ['contacts:read'] },
      { field: 'Query.secrets', requires: ['contacts:read'] },
    ]);
    expect(fieldScopes(schema).slice(3)).toEqual([
      { field: 'Secret.name', requires: ['contacts:read'] },
      { field: 'Secret.code', requires: ['contacts:read'] },
      { field: 'Secret.owner', requires: ['contacts:read', 'companies:read'] },
    ]);
  });

  it('fails at build on a Query or Mutation field without a decision', () => {
    const schema = makeExecutableSchema({
      typeDefs: `${AUTH} type Query { ok: String @auth(requires: []) } type Mutation { forgotten: String }`,
    });
    expect(() => authDirectiveTransformer(schema)).toThrow(
      new Error(
        'Mutation.forgotten has no @auth: declare the scopes it requires, or @auth(requires: []) to make it public on purpose',
      ),
    );
  });

  it('fails at build on a scope that is not one of the gateway’s', () => {
    const schema = makeExecutableSchema({
      typeDefs: `${AUTH} type Query { ok: Thing @auth(requires: []) } type Thing @auth(requires: ["contacts:reed"]) { a: String }`,
    });
    expect(() => authDirectiveTransformer(schema)).toThrow(
      new Error('@auth on Thing names an unknown scope: "contacts:reed"'),
    );
  });

  it('fails at build on @auth on an interface field, which execution never runs', () => {
    const schema = makeExecutableSchema({
      typeDefs: `${AUTH} interface Node { id: ID! @auth(requires: ["contacts:read"]) } type A implements Node { id: ID! } type Query { a: A @auth(requires: []) }`,
    });
    expect(() => authDirectiveTransformer(schema)).toThrow(
      new Error('@auth on Node.id would guard nothing: put it on the object types that implement Node'),
    );
  });

  it('fails at build on a schema that does not declare @auth', () => {
    const schema = makeExecutableSchema({ typeDefs: 'type Query { a: String }' });
    expect(() => authDirectiveTransformer(schema)).toThrow(new Error('the schema does not declare @auth'));
  });
});
