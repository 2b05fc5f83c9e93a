import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKeyStore, createAuthenticator } from '../../src/auth/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { countCommands } from '../../src/mongo/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// Nothing on the hot path that need not be there (issue #12, item 2): a gateway as `npm start` runs
// it (API keys with their cache, rate limiting with leases) answers an authenticated trivial query
// without any MongoDB command once the key is cached and a lease is held.

let mongo: TestDatabase;
let gateway: RunningGateway;
let secret: string;

beforeAll(async () => {
  mongo = await testDatabase('gateway hot path');
  const apiKeys = new ApiKeyStore(mongo.db, { ttlMs: 60_000 });
  secret = (await apiKeys.create({ name: 'hot', scopes: ['contacts:read'] })).secret;
  gateway = await startGateway({
    dependencies: {
      db: mongo.db,
      // Never asked: the query reads no record.
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: 'http://127.0.0.1:9/graphql', retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: 'http://127.0.0.1:9/graphql', retries: 0 }),
    },
    mode: 'production',
    authenticate: createAuthenticator({ apiKeys }),
    rateLimit: { points: 600, windowSeconds: 60 },
  });
});

afterAll(async () => {
  await gateway.close();
  await mongo.drop();
});

async function trivial(): Promise<unknown> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return response.json();
}

describe('the hot path', () => {
  it('costs the first authenticated request one key lookup and one rate-limit lease, and the next 10 concurrent ones no MongoDB command', async () => {
    const commands = countCommands(mongo.client);
    expect(await trivial()).toEqual({ data: { __typename: 'Query' } });
    expect(commands.names()).toEqual(['find', 'findAndModify']);
    commands.reset();
    const answers = await Promise.all(Array.from({ length: 10 }, trivial));
    commands.stop();
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ data: { __typename: 'Query' } })));
    expect(commands.names()).toEqual([]);
  });
});
