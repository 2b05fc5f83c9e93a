import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Db, MongoClient } from 'mongodb';
import { SCOPES, type Authenticate } from '../../src/auth/principal.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { RATE_LIMITS_COLLECTION } from '../../src/gateway/limits/index.js';
import { startGateway, type GatewayServerOptions, type RunningGateway } from '../../src/gateway/server.js';
import { setupIndexes } from '../../src/links/index.js';
import { logger } from '../../src/logger.js';
import { connectMongo } from '../../src/mongo/index.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// Rate limiting per client, counted in MongoDB through a TCP proxy that a test can cut, the way a
// network partition or a MongoDB failover makes it briefly unreachable. Concurrent requests, and two
// gateway processes counting together: rate-limit-concurrency.test.ts.

/** A TCP proxy to `target` that can refuse and drop connections (cut) and accept them again (restore). */
interface CuttableProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

async function startProxy(target: URL): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    const drop = (): void => {
      for (const socket of [client, upstream]) {
        socket.destroy();
        sockets.delete(socket);
      }
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', drop).on('close', drop);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      open = false;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      open = true;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Test credentials: `Bearer test:<name>` is the API key of `<name>`, with every scope. */
const authenticate: Authenticate = async (authorization) => {
  const name = /^Bearer test:([a-z]+)$/.exec(authorization ?? '')?.[1];
  if (!name) throw new UnauthenticatedError();
  return { subject: `test:${name}`, kind: 'api-key', scopes: new Set(SCOPES) };
};

const POINTS = 3;
const WINDOW_SECONDS = 60;

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;
let proxy: CuttableProxy;
let proxied: { client: MongoClient; db: Db };
const running: RunningGateway[] = [];

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'empty' }),
    startCrmoffice({ seed: 'empty' }),
    testDatabase('gateway rate limit'),
  ]);
  await setupIndexes(mongo.db);
  proxy = await startProxy(new URL(process.env['MONGODB_URI']!));
  const uri = new URL(process.env['MONGODB_URI']!);
  uri.port = String(proxy.port);
  proxied = await connectMongo(uri.toString(), mongo.name, { serverSelectionTimeoutMS: 1000 });
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  await Promise.all(running.map((gateway) => gateway.close()));
  await proxied.client.close();
  await proxy.close();
  await Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]);
});

async function start(options: Omit<GatewayServerOptions, 'dependencies'>): Promise<RunningGateway> {
  const gateway = await startGateway({
    dependencies: {
      db: mongo.db,
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, retries: 0 }),
    },
    mode: 'production',
    ...options,
  });
  running.push(gateway);
  return gateway;
}

interface Reply {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

/** The Authorization header of test client `name`. */
const as = (name: string): string => `Bearer test:${name}`;

/** The key the gateway counts this process's unauthenticated requests under (it listens on 127.0.0.1). */
const ADDRESS = 'ip:127.0.0.1';

/** One `{ __typename }` request with this Authorization header (none if undefined). */
async function ask(gateway: RunningGateway, authorization: string | undefined): Promise<Reply> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

const ANSWERED: Reply = { status: 200, retryAfter: null, body: { data: { __typename: 'Query' } } };

/** `times` requests in a row, each answered. */
async function askTimes(gateway: RunningGateway, authorization: string | undefined, times: number): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let request = 0; request < times; request++) replies.push(await ask(gateway, authorization));
  return replies;
}

/** Asserts a 429 whose Retry-After header and extensions.retryAfter agree and lie within the window. */
function expectRateLimited(reply: Reply): void {
  const seconds = Number(reply.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(reply).toEqual({
    status: 429,
    retryAfter: String(seconds),
    body: {
      errors: [
        {
          message: `Too many requests: retry after ${seconds} s.`,
          extensions: { code: 'RATE_LIMITED', retryAfter: seconds },
        },
      ],
    },
  });
}

/** The counts in MongoDB: key → points, for the keys given. */
async function countsOf(...keys: string[]): Promise<Record<string, number>> {
  const documents = await mongo.db
    .collection<{ key: string; points: number }>(RATE_LIMITS_COLLECTION)
    .find({ key: { $in: keys.map((key) => `graphql:${key}`) } })
    .toArray();
  return Object.fromEntries(documents.map((document) => [document.key.replace(/^graphql:/, ''), document.points]));
}

describe('rate limiting', () => {
  let gateway: RunningGateway;

  beforeAll(async () => {
    gateway = await start({
      authenticate,
      rateLimit: { points: POINTS, windowSeconds: WINDOW_SECONDS, db: proxied.db, storeTimeoutMs: 250 },
    });
  });

  it('refuses a client over its quota with RATE_LIMITED, HTTP 429 and Retry-After; another client keeps its own quota', async () => {
    expect(await askTimes(gateway, as('alice'), POINTS)).toEqual([ANSWERED, ANSWERED, ANSWERED]);
    expectRateLimited(await ask(gateway, as('alice')));
    expect(await askTimes(gateway, as('bob'), POINTS)).toEqual([ANSWERED, ANSWERED, ANSWERED]);
    expectRateLimited(await ask(gateway, as('bob')));
    expectRateLimited(await ask(gateway, as('alice')));
    // With POINTS = 3 a lease is one token: the shared count grew by one per answer and once more when
    // it ran out; the refusals after that come from memory (rate-limit-concurrency.test.ts: bigger leases).
    expect(await countsOf('test:alice', 'test:bob')).toEqual({ 'test:alice': 4, 'test:bob': 4 });
  });

  it('counts failed authentications against the client address, and not against authenticated clients', async () => {
    const unauthenticated = {
      status: 401,
      retryAfter: null,
      body: { errors: [{ message: 'invalid or expired token', extensions: { code: 'UNAUTHENTICATED' } }] },
    };
    expect(await askTimes(gateway, 'Bearer guess', POINTS)).toEqual([
      unauthenticated,
      unauthenticated,
      unauthenticated,
    ]);
    expectRateLimited(await ask(gateway, 'Bearer guess'));
    expect(await ask(gateway, as('carol'))).toEqual(ANSWERED);
    expect(await countsOf(ADDRESS, 'test:carol')).toEqual({ [ADDRESS]: 4, 'test:carol': 1 });
  });

  it('keeps limiting in memory while MongoDB is unreachable, says so once in the log, and counts in MongoDB again once it is back', async () => {
    const warn = jest.spyOn(logger, 'warn');
    proxy.cut();
    try {
      expect(await askTimes(gateway, as('dave'), POINTS)).toEqual([ANSWERED, ANSWERED, ANSWERED]);
      const refused = await ask(gateway, as('dave'));
      expectRateLimited(refused);
      expect(refused.retryAfter).toBe(String(WINDOW_SECONDS));
      expect(warn.mock.calls).toEqual([
        [
          { leases: 1 },
          "rate limit store (MongoDB) failed or timed out: counting requests in this process's memory until it answers again",
        ],
      ]);
    } finally {
      proxy.restore();
    }
    await untilReachable(proxied.db);
    expectRateLimited(await ask(gateway, as('alice')));
    expect(await ask(gateway, as('erin'))).toEqual(ANSWERED);
    expect(await countsOf('test:alice', 'test:erin')).toEqual({ 'test:alice': 4, 'test:erin': 1 });
  });

  it('counts every request against the client address when authentication is not configured', async () => {
    const open = await start({ rateLimit: { points: POINTS, windowSeconds: WINDOW_SECONDS, db: proxied.db } });
    await mongo.db.collection(RATE_LIMITS_COLLECTION).deleteMany({});
    expect(await askTimes(open, undefined, POINTS)).toEqual([ANSWERED, ANSWERED, ANSWERED]);
    expectRateLimited(await ask(open, undefined));
    expect(await countsOf(ADDRESS)).toEqual({ [ADDRESS]: 4 });
  });
});

/** Waits until `db` answers a ping again (the driver reconnects on its own), at most 10 s. */
async function untilReachable(db: Db): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await db.command({ ping: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
