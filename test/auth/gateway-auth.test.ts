import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { ApiKeyStore, createAuthenticator, JwtVerifier } from '../../src/auth/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway/server.js';
import { setupIndexes } from '../../src/links/index.js';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';
import { startCrmoffice } from '../../src/reference/crmoffice/index.js';
import { startCustomerp } from '../../src/reference/customerp/index.js';
import { UpstreamClient } from '../../src/upstreams/index.js';
import { testDatabase, type TestDatabase } from '../support/mongo.js';

// Authentication through HTTP, end to end: the gateway with API keys in MongoDB and JWTs from a
// configured public key; Apollo Server turns UNAUTHENTICATED into HTTP 401 + WWW-Authenticate.

const ISSUER = 'https://login.example.test/';
const AUDIENCE = 'gateway';
const HEALTH = '{ health { status } }';

let customerp: RunningReferenceServer;
let crmoffice: RunningReferenceServer;
let mongo: TestDatabase;
let keys: ApiKeyStore;
let gateway: RunningGateway;
let signingKey: CryptoKey;

beforeAll(async () => {
  [customerp, crmoffice, mongo] = await Promise.all([
    startCustomerp({ seed: 'empty' }),
    startCrmoffice({ seed: 'empty' }),
    testDatabase('auth gateway'),
  ]);
  await setupIndexes(mongo.db);
  const rsa = await generateKeyPair('RS256');
  signingKey = rsa.privateKey;
  keys = new ApiKeyStore(mongo.db);
  const jwt = await JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['RS256'],
    publicKeyPem: await exportSPKI(rsa.publicKey),
  });
  gateway = await startGateway({
    dependencies: {
      db: mongo.db,
      customerp: new UpstreamClient({ system: 'CUSTOMERP', url: customerp.url, retries: 0 }),
      crmoffice: new UpstreamClient({ system: 'CRMOFFICE', url: crmoffice.url, retries: 0 }),
    },
    mode: 'test',
    authenticate: createAuthenticator({ apiKeys: keys, jwt }),
  });
});

afterAll(async () => {
  await gateway.close();
  await Promise.all([customerp.close(), crmoffice.close(), mongo.drop()]);
});

/** POSTs `query` with the Authorization header given (none when undefined): status, the challenge header, body. */
async function post(
  authorization: string | undefined,
  query = HEALTH,
): Promise<{ status: number; challenge: string | null; body: unknown }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.json() };
}

const unauthenticated = (message: string) => ({
  status: 401,
  challenge: 'Bearer',
  body: { errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] },
});
const MISSING = unauthenticated('authentication required: send Authorization: Bearer <token>');
const INVALID = unauthenticated('invalid or expired token');
const HEALTHY = { status: 200, challenge: null, body: { data: { health: { status: 'UP' } } } };

describe('the gateway with authentication', () => {
  it('answers a request without an Authorization header with HTTP 401 UNAUTHENTICATED', async () => {
    expect(await post(undefined)).toEqual(MISSING);
    expect(await post('Basic dXNlcjpwYXNz')).toEqual(MISSING);
  });

  it('answers a request with a valid API key', async () => {
    const { secret } = await keys.create({ name: 'e2e', scopes: ['contacts:read'] });
    expect(await post(`Bearer ${secret}`)).toEqual(HEALTHY);
  });

  it('refuses a revoked key on the very next request', async () => {
    const { secret } = await keys.create({ name: 'soon-revoked', scopes: ['contacts:read'] });
    expect(await post(`Bearer ${secret}`)).toEqual(HEALTHY);
    await keys.revoke('soon-revoked');
    expect(await post(`Bearer ${secret}`)).toEqual(INVALID);
  });

  it('refuses unknown keys and tokens of no known kind alike', async () => {
    expect(await post('Bearer cgk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toEqual(INVALID);
    expect(await post('Bearer hunter2')).toEqual(INVALID);
  });

  it('answers a request with a valid JWT and refuses an expired one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (exp: number) =>
      new SignJWT({ scope: 'contacts:read' })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('user-7')
        .setExpirationTime(exp)
        .sign(signingKey);
    expect(await post(`Bearer ${await sign(now + 300)}`)).toEqual(HEALTHY);
    expect(await post(`Bearer ${await sign(now - 60)}`)).toEqual(INVALID);
  });

  it('keeps the landing page and /health open: a browser needs the page to set the header', async () => {
    const page = await fetch(gateway.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const health = await fetch(`${gateway.origin}/health`);
    expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'UP' } });
  });
});
