import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SCOPES, type Authenticate } from '../../src/auth/principal.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { leaseSizeFor, RATE_LIMITS_COLLECTION } from '../../src/gateway/limits/index.js';
import { countCommands } from '../../src/mongo/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { setupIndexes } from '../../src/links/index.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';
import { gatewayProcesses } from './support/gateway-processes.js';

// Rate limiting under concurrency. A process takes leases of LEASE tokens from the shared count, each
// one atomic upsert with $inc in MongoDB (rate-limiter-flexible's RateLimiterMongo), and answers that
// many requests from memory; the count only grows by whole leases, so requests arriving together, at
// one gateway or at several processes sharing the database, never get more than POINTS answers per
// window, and a client that keeps sending gets exactly POINTS, in one round trip per LEASE requests.

/** Test credentials: `Bearer test:<name>` is the API key of `<name>`, with every scope (the same in gateway-process.ts). */
const authenticate: Authenticate = async (authorization) => {
  const name = /^Bearer test:([a-z]+)$/.exec(authorization ?? '')?.[1];
  if (!name) throw new UnauthenticatedError();
  return { subject: `test:${name}`, kind: 'api-key', scopes: new Set(SCOPES) };
};

const POINTS = 30;
const LEASE = leaseSizeFor(POINTS); // 3
const WINDOW_SECONDS = 60;
const REQUESTS = 100;
const IN_FLIGHT = 10;
/**
 * Far above any answer time, so the in-memory fallback (per process, a count of its own) never takes
 * over here: these tests are about the MongoDB count. rate-limit.test.ts covers the fallback.
 */
const STORE_TIMEOUT_MS = 30_000;

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;
let gateway: RunningGateway;
const processes = gatewayProcesses();

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'empty' }),
    startCrmoffice({ seed: 'empty' }),
    testDatabase('gateway rate limit concurrency'),
  ]);
  await setupIndexes(mongo.db);
  gateway = await startGateway({
    dependencies: {
      db: mongo.db,
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, retries: 0 }),
    },
    mode: 'production',
    authenticate,
    rateLimit: { points: POINTS, windowSeconds: WINDOW_SECONDS, storeTimeoutMs: STORE_TIMEOUT_MS },
  });
});

afterAll(async () => {
  await processes.stopAll();
  await gateway.close();
  await Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]);
});

interface Reply {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

/** One `{ __typename }` request as client `name`. */
async function ask(url: string, name: string): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer test:${name}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

/** REQUESTS requests as client `name`, IN_FLIGHT at a time; request i goes to urls[i % urls.length]. Replies in request order. */
async function askConcurrently(urls: readonly string[], name: string): Promise<Reply[]> {
  const replies: Reply[] = new Array<Reply>(REQUESTS);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < REQUESTS) {
      const index = next++;
      replies[index] = await ask(urls[index % urls.length]!, name);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return replies;
}

const ANSWERED: Reply = { status: 200, retryAfter: null, body: { data: { __typename: 'Query' } } };

/** Whether `reply` is a 429 whose Retry-After header and extensions.retryAfter agree and lie within the window. */
function isRateLimited(reply: Reply): boolean {
  const seconds = Number(reply.retryAfter);
  return (
    Number.isInteger(seconds) &&
    seconds >= 1 &&
    seconds <= WINDOW_SECONDS &&
    JSON.stringify(reply) ===
      JSON.stringify({
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
      })
  );
}

/** How the replies split: answered (exactly ANSWERED), rate limited (isRateLimited), anything else (listed whole). */
function tally(replies: readonly Reply[]): { answered: number; rateLimited: number; other: Reply[] } {
  const answered = replies.filter((reply) => JSON.stringify(reply) === JSON.stringify(ANSWERED)).length;
  const rateLimited = replies.filter(isRateLimited).length;
  const other = replies.filter((reply) => JSON.stringify(reply) !== JSON.stringify(ANSWERED) && !isRateLimited(reply));
  return { answered, rateLimited, other };
}

/** The count MongoDB holds for client `name` (null without a document). */
async function storedCount(name: string): Promise<number | null> {
  // One document per client: the collection's unique index on `key` (setupRateLimitIndexes).
  const document = await mongo.db
    .collection<{ key: string; points: number }>(RATE_LIMITS_COLLECTION)
    .findOne({ key: `graphql:test:${name}` });
  return document?.points ?? null;
}

/** A rate-limited gateway process (test/gateway/support/gateway-process.ts) on the same database and systems; resolves with its /graphql URL. */
function startGatewayProcess(): Promise<string> {
  return processes.start({
    GATEWAY_DB: mongo.name,
    CUSTOMERP_URL: customerp.url,
    CRMOFFICE_URL: crmoffice.url,
    RATE_LIMIT_POINTS: String(POINTS),
    RATE_LIMIT_WINDOW_S: String(WINDOW_SECONDS),
    RATE_LIMIT_STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS),
  });
}

describe('rate limiting under concurrency', () => {
  it(`answers exactly ${POINTS} of ${REQUESTS} requests sent ${IN_FLIGHT} at a time by one client, refuses the other ${REQUESTS - POINTS} with RATE_LIMITED, in one MongoDB round trip per lease`, async () => {
    const commands = countCommands(mongo.client);
    const replies = await askConcurrently([gateway.url], 'alice');
    commands.stop();
    expect(tally(replies)).toEqual({ answered: POINTS, rateLimited: REQUESTS - POINTS, other: [] });
    // POINTS / LEASE leases, and one that found the count used up; the refusals after it cost nothing.
    expect(LEASE).toBeGreaterThan(1);
    expect(commands.names()).toEqual(new Array(POINTS / LEASE + 1).fill('findAndModify'));
    expect(await storedCount('alice')).toBe(POINTS + LEASE);
  });

  it(`holds a client to ${POINTS} answers in total across two gateway processes sharing one MongoDB`, async () => {
    const other = await startGatewayProcess();
    // Each gateway answers on its own before the race: the second one is up and counting in the same database.
    expect([await ask(gateway.url, 'carol'), await ask(other, 'carol')]).toEqual([ANSWERED, ANSWERED]);
    expect(await storedCount('carol')).toBe(2 * LEASE);

    const replies = await askConcurrently([gateway.url, other], 'bob');
    expect(tally(replies)).toEqual({ answered: POINTS, rateLimited: REQUESTS - POINTS, other: [] });
    // Whole leases up to POINTS, then one refused lease per process.
    expect(await storedCount('bob')).toBe(POINTS + 2 * LEASE);
  });
});
