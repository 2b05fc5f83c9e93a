import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type GatewayServerOptions, type RunningGateway } from '../../src/gateway/server.js';
import { setupIndexes } from '../../src/links/index.js';
import { connectMongo } from '../../src/mongo/index.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// The gateway's HTTP face per mode: Apollo Sandbox and introspection in development, neither in
// production unless enabled, and what errors show of themselves.

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;
const running: RunningGateway[] = [];

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'empty' }),
    startCrmoffice({ seed: 'empty' }),
    testDatabase('gateway server'),
  ]);
  await setupIndexes(mongo.db);
});

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.close()));
  await Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]);
});

async function start(options: Omit<GatewayServerOptions, 'dependencies'>, db = mongo.db): Promise<RunningGateway> {
  const gateway = await startGateway({
    dependencies: {
      db,
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, retries: 0 }),
    },
    ...options,
  });
  running.push(gateway);
  return gateway;
}

async function post(gateway: RunningGateway, query: string): Promise<unknown> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

async function landingPage(gateway: RunningGateway): Promise<{ status: number; sandbox: boolean }> {
  const response = await fetch(gateway.url, { headers: { accept: 'text/html' } });
  return {
    status: response.status,
    sandbox: (await response.text()).includes('embeddable-sandbox.cdn.apollographql.com'),
  };
}

const INTROSPECTION = '{ __schema { queryType { name } } }';

describe('the gateway server', () => {
  it('shows Apollo Sandbox and answers introspection in development', async () => {
    const gateway = await start({ mode: 'development' });
    expect(await landingPage(gateway)).toEqual({ status: 200, sandbox: true });
    expect(await post(gateway, INTROSPECTION)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('has neither sandbox nor introspection in production', async () => {
    const gateway = await start({ mode: 'production' });
    expect(await landingPage(gateway)).toEqual({ status: 400, sandbox: false });
    expect(await post(gateway, INTROSPECTION)).toEqual({
      errors: [
        {
          message:
            'GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'INTROSPECTION_DISABLED' },
        },
      ],
    });
    expect(await post(gateway, '{ contacts { totalCount } }')).toEqual({ data: { contacts: { totalCount: 0 } } });
  });

  it('has both in production when introspection is enabled by setting', async () => {
    const gateway = await start({ mode: 'production', introspection: true });
    expect(await landingPage(gateway)).toEqual({ status: 200, sandbox: true });
    expect(await post(gateway, INTROSPECTION)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  describe('errors', () => {
    let closedDb: TestDatabase['db'];

    beforeAll(async () => {
      // A database whose client is gone: every query fails with a driver error nobody planned for.
      const { client, db } = await connectMongo(process.env['MONGODB_URI']!, mongo.name);
      await client.close();
      closedDb = db;
    });

    it('masks an unexpected error in production: no message, no stack trace, the request id to quote', async () => {
      const gateway = await start({ mode: 'production' }, closedDb);
      expect(await post(gateway, '{ contacts { totalCount } }')).toEqual({
        data: null,
        errors: [
          {
            message: 'Internal server error',
            locations: [{ line: 1, column: 3 }],
            path: ['contacts'],
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
          },
        ],
      });
    });

    it('shows the unexpected error and its stack trace in development', async () => {
      const gateway = await start({ mode: 'development' }, closedDb);
      const answer = (await post(gateway, '{ contacts { totalCount } }')) as {
        errors: { message: string; extensions: { code: string; stacktrace: string[] } }[];
      };
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors[0]!.message).not.toBe('Internal server error');
      expect(answer.errors[0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(answer.errors[0]!.extensions.stacktrace.length).toBeGreaterThan(1);
    });

    it('shows no stack trace in development either for an error the caller caused', async () => {
      const gateway = await start({ mode: 'development' });
      const answer = (await post(gateway, '{ node(id: "nope") { id } }')) as {
        errors: { extensions: Record<string, unknown> }[];
      };
      expect(answer.errors.map((e) => e.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT' })]);
      expect(answer.errors.map((e) => 'stacktrace' in e.extensions)).toEqual([false]);
    });

    it('keeps our own error codes outside development, without stack traces', async () => {
      for (const mode of ['production', 'test'] as const) {
        const gateway = await start({ mode });
        expect(await post(gateway, '{ node(id: "nope") { id } }')).toEqual({
          data: { node: null },
          errors: [
            {
              message: 'id is not a valid id',
              locations: [{ line: 1, column: 3 }],
              path: ['node'],
              extensions: { code: 'BAD_USER_INPUT', field: 'id' },
            },
          ],
        });
      }
    });
  });
});
