import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MongoClient, type Db } from 'mongodb';
import { OPEN_PRINCIPAL, type Authenticate } from '../../src/auth/principal.js';
import { startGateway, type GatewayServerOptions, type RunningGateway } from '../../src/gateway/server.js';
import { setupIndexes } from '../../src/links/index.js';
import { DEFAULT_MONGO_OPTIONS } from '../../src/mongo/index.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// What clients see of errors outside development: their own mistakes precisely (without the
// schema's spelling hints), our failures only as INTERNAL_SERVER_ERROR with a request id to quote.

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;
/** A port nothing listens on: connections to it are refused, as to a MongoDB or a system that is down. */
let deadPort: number;
const deadClients: MongoClient[] = [];
const running: RunningGateway[] = [];

/**
 * A database on `deadPort`, of a client of its own: its first command fails once the driver gives up
 * selecting a server, naming the address (later ones say only that the topology is closed).
 */
function deadDatabase(): Db {
  const client = new MongoClient(`mongodb://127.0.0.1:${deadPort}/`, {
    ...DEFAULT_MONGO_OPTIONS,
    serverSelectionTimeoutMS: 300,
  });
  deadClients.push(client);
  return client.db(mongo.name);
}

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'empty' }),
    startCrmoffice({ seed: 'empty' }),
    testDatabase('gateway errors'),
  ]);
  await setupIndexes(mongo.db);
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.close()));
  await Promise.all(deadClients.map((client) => client.close()));
  await Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]);
});

interface StartOptions extends Omit<GatewayServerOptions, 'dependencies'> {
  db?: Db;
  /** Where the gateway looks for both systems. @default the running reference systems */
  systemsAt?: { customerp: string; crmoffice: string };
}

async function start({
  db = mongo.db,
  systemsAt = { customerp: customerp.url, crmoffice: crmoffice.url },
  ...options
}: StartOptions): Promise<RunningGateway> {
  const gateway = await startGateway({
    dependencies: {
      db,
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: systemsAt.customerp, retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: systemsAt.crmoffice, retries: 0 }),
    },
    ...options,
  });
  running.push(gateway);
  return gateway;
}

interface Reply {
  status: number;
  requestId: string | null;
  body: { data?: unknown; errors?: { message: string; extensions: Record<string, unknown> }[] };
}

async function post(
  gateway: RunningGateway,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id'),
    body: (await response.json()) as Reply['body'],
  };
}

describe('errors outside development', () => {
  describe('an unexpected failure (MongoDB is down)', () => {
    let production: RunningGateway;
    let development: RunningGateway;

    beforeAll(async () => {
      [production, development] = await Promise.all([
        start({ mode: 'production', db: deadDatabase() }),
        start({ mode: 'development', db: deadDatabase() }),
      ]);
    });

    it('is INTERNAL_SERVER_ERROR with the request id and nothing else: no message, stack trace or address', async () => {
      const reply = await post(production, '{ contacts { totalCount } }', {}, { 'x-request-id': 'support-ticket-42' });
      expect(reply).toEqual({
        status: 200,
        requestId: 'support-ticket-42',
        body: {
          data: null,
          errors: [
            {
              message: 'Internal server error',
              locations: [{ line: 1, column: 3 }],
              path: ['contacts'],
              extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'support-ticket-42' },
            },
          ],
        },
      });
    });

    it('carries the id the gateway gave the request when the client sent none', async () => {
      const reply = await post(production, '{ contacts { totalCount } }');
      expect(reply.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.body.errors?.map((error) => error.extensions)).toEqual([
        { code: 'INTERNAL_SERVER_ERROR', requestId: reply.requestId },
      ]);
    });

    it('shows in development what production hides: the driver’s message with the address, and the stack trace', async () => {
      const [error] = (await post(development, '{ contacts { totalCount } }')).body.errors!;
      expect(error!.message).toContain(`127.0.0.1:${deadPort}`);
      expect(error!.extensions['code']).toBe('INTERNAL_SERVER_ERROR');
      expect((error!.extensions['stacktrace'] as string[]).length).toBeGreaterThan(1);
    });
  });

  it('masks an unexpected failure before the operation runs too (an authenticator naming its JWKS URL): HTTP 500', async () => {
    const authenticate: Authenticate = async (authorization) => {
      if (authorization === 'Bearer ok') return OPEN_PRINCIPAL;
      throw new Error('cannot fetch https://id.example.com/.well-known/jwks.json: connect ECONNREFUSED 10.0.0.7:443');
    };
    const gateway = await start({ mode: 'production', authenticate });
    const reply = await post(
      gateway,
      '{ __typename }',
      {},
      { authorization: 'Bearer anything', 'x-request-id': 'r-1' },
    );
    expect(reply).toEqual({
      status: 500,
      requestId: 'r-1',
      body: {
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' } }],
      },
    });
    expect(await post(gateway, '{ __typename }', {}, { authorization: 'Bearer ok' })).toMatchObject({
      status: 200,
      body: { data: { __typename: 'Query' } },
    });
  });

  it('names a system that cannot be reached, never its address', async () => {
    const down = `http://127.0.0.1:${deadPort}/graphql`;
    const gateway = await start({ mode: 'production', systemsAt: { customerp: down, crmoffice: down } });
    const reply = await post(gateway, '{ health { status customerp { status error } crmoffice { status error } } }');
    expect(reply.body).toEqual({
      data: {
        health: {
          status: 'DOWN',
          customerp: { status: 'DOWN', error: 'CUSTOMERP is unavailable: connection failed' },
          crmoffice: { status: 'DOWN', error: 'CRMOFFICE is unavailable: connection failed' },
        },
      },
    });
  });

  describe('a client’s mistake', () => {
    let production: RunningGateway;
    let development: RunningGateway;

    beforeAll(async () => {
      [production, development] = await Promise.all([start({ mode: 'production' }), start({ mode: 'development' })]);
    });

    it('gets no "Did you mean" for a misspelled field, argument or enum value in production', async () => {
      expect(await post(production, '{ contacts { nodes { fulName } } }')).toMatchObject({
        status: 400,
        body: {
          errors: [
            {
              message: 'Cannot query field "fulName" on type "Contact".',
              locations: [{ line: 1, column: 22 }],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            },
          ],
        },
      });
      expect((await post(production, '{ contacts(frist: 5) { totalCount } }')).body).toEqual({
        errors: [
          {
            message: 'Unknown argument "frist" on field "Query.contacts".',
            locations: [{ line: 1, column: 12 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
      expect(
        await post(production, 'query($system: System!) { contactByRef(system: $system, id: "1") { id } }', {
          system: 'CUSTOMER',
        }),
      ).toMatchObject({
        status: 400,
        body: {
          errors: [
            {
              message:
                'Variable "$system" got invalid value "CUSTOMER"; Value "CUSTOMER" does not exist in "System" enum.',
              locations: [{ line: 1, column: 7 }],
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
        },
      });
    });

    it('gets the suggestions in development', async () => {
      const messages = async (query: string, variables?: Record<string, unknown>) =>
        (await post(development, query, variables)).body.errors!.map((error) => error.message);
      expect(await messages('{ contacts { nodes { fulName } } }')).toEqual([
        'Cannot query field "fulName" on type "Contact". Did you mean "fullName"?',
      ]);
      expect(await messages('{ contacts(frist: 5) { totalCount } }')).toEqual([
        'Unknown argument "frist" on field "Query.contacts". Did you mean "first"?',
      ]);
      expect(
        await messages('query($system: System!) { contactByRef(system: $system, id: "1") { id } }', {
          system: 'CUSTOMER',
        }),
      ).toEqual([
        'Variable "$system" got invalid value "CUSTOMER"; Value "CUSTOMER" does not exist in "System" enum. Did you mean the enum value "CUSTOMERP"?',
      ]);
    });
  });

  describe('CSRF prevention', () => {
    let gateway: RunningGateway;
    const CSRF_MESSAGE =
      "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header " +
      '(with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a non-empty value ' +
      'for one of the following headers: x-apollo-operation-name, apollo-require-preflight\n';
    const refused = { status: 400, body: { errors: [{ message: CSRF_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] } };

    beforeAll(async () => {
      gateway = await start({ mode: 'production' });
    });

    async function send(init: RequestInit, query = '{ __typename }'): Promise<{ status: number; body: unknown }> {
      const url = init.method === 'GET' ? `${gateway.url}?query=${encodeURIComponent(query)}` : gateway.url;
      const response = await fetch(url, init);
      return { status: response.status, body: await response.json() };
    }

    it('refuses what a browser sends cross-site without a preflight: a simple GET, a text/plain or form POST', async () => {
      expect(await send({ method: 'GET' })).toEqual(refused);
      expect(
        await send({
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ query: '{ __typename }' }),
        }),
      ).toEqual(refused);
      expect(
        await send({
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'query=%7B__typename%7D',
        }),
      ).toEqual(refused);
    });

    it('answers a GET with apollo-require-preflight and a JSON POST', async () => {
      const answered = { status: 200, body: { data: { __typename: 'Query' } } };
      expect(await send({ method: 'GET', headers: { 'apollo-require-preflight': 'true' } })).toEqual(answered);
      expect(
        await send({
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        }),
      ).toEqual(answered);
    });
  });
});
