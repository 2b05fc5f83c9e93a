import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { SCOPES, type Authenticate, type Scope } from '../../src/auth/principal.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { countCommands } from '../../src/mongo/index.js';
import { startSyncWorld, upstreamClientsOf, type SyncWorld } from '../support/world.js';

// The unified API as an Apollo Federation v2 subgraph (issue #15, part 3), proven with Apollo's own
// tools: @apollo/composition composes it with a second subgraph that adds a field to Contact, and
// @apollo/gateway serves the supergraph and answers a query that crosses both.

const KEYS: Record<string, readonly Scope[]> = { all: SCOPES, companies: ['companies:read'] };
const authenticate: Authenticate = async (authorization) => {
  const name = /^Bearer ([a-z]+)$/.exec(authorization ?? '')?.[1];
  const scopes = name ? KEYS[name] : undefined;
  if (!name || !scopes) throw new UnauthenticatedError();
  return { subject: `test:${name}`, kind: 'api-key', scopes: new Set(scopes) };
};

/** The second subgraph's field: a number anyone can recompute from the contact's id. */
const pointsOf = (id: string) => [...id].reduce((sum, char) => sum + char.charCodeAt(0), 0) % 1000;

const LOYALTY_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Contact @key(fields: "id") {
    id: ID!
    loyaltyPoints: Int!
  }
`;

let world: SyncWorld;
let gateway: RunningGateway;
let loyalty: { server: ApolloServer; url: string };
let supergraph: { server: ApolloServer<{ authorization: string }>; url: string };
let supergraphSdl: string;
let composition: ReturnType<typeof composeServices>;

async function post(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
}

beforeAll(async () => {
  world = await startSyncWorld('federation');
  await world.engine.runOnce();
  gateway = await startGateway({
    dependencies: {
      db: world.database.db,
      ...upstreamClientsOf(world),
    },
    mode: 'production',
    authenticate,
  });
  const loyaltyServer = new ApolloServer({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema({
      typeDefs: parse(LOYALTY_SDL),
      resolvers: {
        Contact: {
          __resolveReference: (reference: { id: string }) => ({
            id: reference.id,
            loyaltyPoints: pointsOf(reference.id),
          }),
        },
      },
    }),
  });
  loyalty = {
    server: loyaltyServer,
    url: (await startStandaloneServer(loyaltyServer, { listen: { port: 0, host: '127.0.0.1' } })).url,
  };

  const sdl = (await post(gateway.url, 'all', '{ _service { sdl } }')).data as { _service: { sdl: string } };
  composition = composeServices([
    { name: 'unified', typeDefs: parse(sdl._service.sdl), url: gateway.url },
    { name: 'loyalty', typeDefs: parse(LOYALTY_SDL), url: loyalty.url },
  ]);
  if (composition.errors) throw new Error(`composition failed: ${composition.errors.map((e) => e.message).join('; ')}`);
  supergraphSdl = composition.supergraphSdl;

  // The supergraph passes the caller's Authorization on to the subgraphs.
  const supergraphServer = new ApolloServer<{ authorization: string }>({
    gateway: new ApolloGateway({
      supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization: string }>({
          url,
          willSendRequest: ({ request, context }) => {
            request.http?.headers.set('authorization', context.authorization);
          },
        }),
    }),
  });
  supergraph = {
    server: supergraphServer,
    url: (
      await startStandaloneServer(supergraphServer, {
        listen: { port: 0, host: '127.0.0.1' },
        context: async ({ req }) => ({ authorization: req.headers.authorization ?? '' }),
      })
    ).url,
  };
}, 120_000);

afterAll(async () => {
  await supergraph?.server.stop();
  await loyalty?.server.stop();
  await gateway?.close();
  await world?.close();
});

/** `count` contact ids of the unified API, employees first (named by their Customerp id order). */
async function contacts(count: number): Promise<{ id: string; kind: string }[]> {
  const answer = await post(gateway.url, 'all', 'query($n: Int!) { contacts(first: $n) { nodes { id kind } } }', {
    n: count,
  });
  const nodes = (answer.data as { contacts: { nodes: { id: string; kind: string }[] } }).contacts.nodes;
  expect(nodes).toHaveLength(count);
  return nodes;
}

async function contactIds(count: number): Promise<string[]> {
  return (await contacts(count)).map((node) => node.id);
}

/** `count` of `nodes` holding one of each kind among them: each kind costs its own upstream request. */
function everyKindIn(nodes: { id: string; kind: string }[], count: number): string[] {
  const isFirstOfKind = (node: { kind: string }, index: number) =>
    nodes.findIndex((other) => other.kind === node.kind) === index;
  const ordered = [...nodes.filter(isFirstOfKind), ...nodes.filter((node, index) => !isFirstOfKind(node, index))];
  return ordered.slice(0, count).map((node) => node.id);
}

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Contact { id email crmoffice { id } customerp { ... on CustomerpEmployee { id } ... on CustomerpContact { id } } }
    ... on Company { id name }
  }
}`;

describe('the unified API as a Federation v2 subgraph', () => {
  it('declares Contact, Company and Activity as entities keyed by id in its _service SDL', async () => {
    const answer = await post(gateway.url, 'all', '{ _service { sdl } }');
    const sdl = (answer.data as { _service: { sdl: string } })._service.sdl;
    for (const type of ['Contact', 'Company', 'Activity'])
      // Its definition, or an extension of it (the SDL keeps schema/gateway-federation.graphql's), carries the key.
      expect(sdl).toMatch(new RegExp(`(type|extend type) ${type}\\b[^{}]*?@key\\(fields: "id"\\)`));
  });

  it('composes with a subgraph that extends Contact, with no error and no hint about keys', () => {
    expect(composition.errors).toBeUndefined();
    expect((composition.hints ?? []).filter((hint) => /key/i.test(hint.toString()))).toEqual([]);
    expect(supergraphSdl).toContain('loyaltyPoints: Int!');
  });

  it('answers, through @apollo/gateway, a query that crosses both subgraphs', async () => {
    const query = '{ contacts(first: 5) { nodes { id email loyaltyPoints } } }';
    const answer = await post(supergraph.url, 'all', query);
    expect(answer.errors).toBeUndefined();
    const nodes = (answer.data as { contacts: { nodes: { id: string; email: string; loyaltyPoints: number }[] } })
      .contacts.nodes;
    const direct = (await post(gateway.url, 'all', '{ contacts(first: 5) { nodes { id email } } }')).data as {
      contacts: { nodes: { id: string; email: string }[] };
    };
    expect(nodes).toEqual(direct.contacts.nodes.map((node) => ({ ...node, loyaltyPoints: pointsOf(node.id) })));
  });

  it('resolves 50 representations with the same upstream requests and MongoDB commands as 5', async () => {
    const costOf = async (ids: string[]) => {
      await world.systems.resetStats();
      const commands = countCommands(world.database.client);
      const answer = await post(gateway.url, 'all', ENTITIES, {
        representations: ids.map((id) => ({ __typename: 'Contact', id })),
      });
      commands.stop();
      expect(answer.errors).toBeUndefined();
      expect((answer.data as { _entities: { id: string }[] })._entities.map((entity) => entity.id)).toEqual(ids);
      const stats = await world.systems.stats();
      return { customerp: stats.customerp.requests, crmoffice: stats.crmoffice.requests, mongo: commands.count() };
    };
    // The five hold every kind the fifty do (which kinds come first in the page varies between runs).
    const nodes = await contacts(50);
    const ids = nodes.map((node) => node.id);
    const five = await costOf(everyKindIn(nodes, 5));
    const fifty = await costOf(ids);
    expect(fifty).toEqual(five);
    expect(five.mongo).toBeLessThanOrEqual(2);
  });

  it("holds each representation to its type's read scope: FORBIDDEN for contacts with a companies-only key, companies answered", async () => {
    const [contactId] = await contactIds(1);
    const company = (await post(gateway.url, 'all', '{ companies(first: 1) { nodes { id name } } }')).data as {
      companies: { nodes: { id: string; name: string }[] };
    };
    const answer = await post(gateway.url, 'companies', ENTITIES, {
      representations: [
        { __typename: 'Contact', id: contactId },
        { __typename: 'Company', id: company.companies.nodes[0]!.id },
      ],
    });
    expect(answer.data).toEqual({ _entities: [null, company.companies.nodes[0]] });
    expect(answer.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
  });

  it('refuses _service and _entities without a key', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    expect(response.status).toBe(401);
  });
});
