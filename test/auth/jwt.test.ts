import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import {
  createAuthenticator,
  JwtConfigError,
  JwtVerifier,
  jwtVerifierFromSettings,
  type Authenticate,
} from '../../src/auth/index.js';

// The attacks of issue #7 against both key sources (a configured PEM public key, a JWKS URL): each is
// refused by the check it targets (the verifier's reason says which), and the client sees only
// UNAUTHENTICATED with the same message.

const ISSUER = 'https://login.example.test/';
const AUDIENCE = 'customerp-crmoffice-gateway';
const KID = 'signing-key-1';

let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
let publicKeyPem: string;
let jwks: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  publicKeyPem = await exportSPKI(rsa.publicKey);
  const jwk = { ...(await exportJWK(rsa.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise((resolve) => jwks.close(resolve));
});

const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token as the real issuer signs it; `claims` overrides or (with undefined) removes the defaults. */
async function signed(
  claims: Record<string, unknown> = {},
  key: CryptoKey = rsa.privateKey,
  header: Record<string, unknown> = { alg: 'RS256', kid: KID },
): Promise<string> {
  const payload: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-42',
    iat: now(),
    exp: now() + 300,
    scope: 'contacts:read',
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'RS256', ...header }).sign(key);
}

/** What a client sees of a refused request: the error's message and code (or the principal, if accepted). */
async function outcomeOf(authenticate: Authenticate, token: string): Promise<unknown> {
  try {
    return await authenticate(`Bearer ${token}`);
  } catch (error) {
    const { message, extensions } = error as { message: string; extensions: Record<string, unknown> };
    return { message, code: extensions['code'] };
  }
}

const REFUSED = { message: 'invalid or expired token', code: 'UNAUTHENTICATED' };
const NO_API_KEYS = { check: async () => ({ ok: false as const, reason: 'unknown' as const }) };

/** Each attack: how to build the token, and the check that must refuse it. */
const ATTACKS: { name: string; token: () => Promise<string>; reason: string }[] = [
  {
    name: 'alg none (unsigned, hand-built)',
    token: async () =>
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', exp: now() + 300, scope: 'sync:admin' })}.`,
    reason: 'ERR_JOSE_ALG_NOT_ALLOWED',
  },
  {
    name: 'HS256 signed with the RS256 public key as HMAC secret (key confusion)',
    token: async () =>
      new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', exp: now() + 300, scope: 'sync:admin' })
        .setProtectedHeader({ alg: 'HS256', kid: KID })
        .sign(new TextEncoder().encode(publicKeyPem)),
    reason: 'ERR_JOSE_ALG_NOT_ALLOWED',
  },
  {
    name: 'wrong issuer',
    token: () => signed({ iss: 'https://evil.example.test/' }),
    reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED:iss',
  },
  {
    name: 'wrong audience',
    token: () => signed({ aud: 'another-api' }),
    reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED:aud',
  },
  {
    name: 'expired (beyond the 5 s clock tolerance)',
    token: () => signed({ iat: now() - 120, exp: now() - 60 }),
    reason: 'ERR_JWT_EXPIRED',
  },
  {
    name: 'not yet valid (nbf in the future)',
    token: () => signed({ nbf: now() + 60 }),
    reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED:nbf',
  },
  {
    name: 'tampered payload with the original signature',
    token: async () => {
      const [header, , signature] = (await signed({ sub: 'user-42', scope: 'contacts:read' })).split('.');
      const elevated = base64url({
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'user-42',
        iat: now(),
        exp: now() + 300,
        scope: 'contacts:read sync:admin',
      });
      return `${header}.${elevated}.${signature}`;
    },
    reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  },
  {
    name: 'tampered signature',
    token: async () => {
      const token = await signed();
      const flipped = token.at(-2) === 'A' ? 'B' : 'A';
      return `${token.slice(0, -2)}${flipped}${token.at(-1)}`;
    },
    reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  },
  {
    name: 'signature stripped',
    token: async () => (await signed()).replace(/\.[^.]+$/, '.'),
    reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  },
  {
    name: 'signed by a different RSA key (claiming the real kid)',
    token: async () => signed({}, (await generateKeyPair('RS256')).privateKey),
    reason: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  },
  {
    name: 'ES256 where only RS256 is allowed',
    token: async () => signed({}, (await generateKeyPair('ES256')).privateKey, { alg: 'ES256' }),
    reason: 'ERR_JOSE_ALG_NOT_ALLOWED',
  },
  { name: 'no exp', token: () => signed({ exp: undefined }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED:exp' },
  { name: 'no sub', token: () => signed({ sub: undefined }), reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED:sub' },
];

describe.each([
  ['a configured public key (PEM)', 'pem'],
  ['a JWKS URL', 'jwks'],
] as const)('JwtVerifier with %s', (_title, source) => {
  let verifier: JwtVerifier;
  let authenticate: Authenticate;

  beforeAll(async () => {
    verifier = await JwtVerifier.create({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      ...(source === 'pem' ? { publicKeyPem } : { jwksUrl }),
    });
    authenticate = createAuthenticator({ apiKeys: NO_API_KEYS, jwt: verifier });
  });

  it('accepts a valid token: subject jwt:<iss>|<sub>, the known scopes of `scope` and `scp`, unknown ones ignored', async () => {
    const token = await signed({
      scope: 'contacts:read companies:write billing:everything',
      scp: ['sync:admin', 'root'],
    });
    expect(await verifier.check(token)).toEqual({
      ok: true,
      principal: {
        subject: `jwt:${ISSUER}|user-42`,
        kind: 'jwt',
        scopes: new Set(['contacts:read', 'companies:write', 'sync:admin']),
      },
    });
    expect(await outcomeOf(authenticate, token)).toEqual({
      subject: `jwt:${ISSUER}|user-42`,
      kind: 'jwt',
      scopes: new Set(['contacts:read', 'companies:write', 'sync:admin']),
    });
  });

  it('accepts a token with no scope claims, with no scopes', async () => {
    expect(await verifier.verify(await signed({ scope: undefined }))).toEqual({
      subject: `jwt:${ISSUER}|user-42`,
      kind: 'jwt',
      scopes: new Set(),
    });
  });

  it('allows 5 s of clock skew on exp and nbf', async () => {
    expect((await verifier.check(await signed({ exp: now() - 3, nbf: now() + 3 }))).ok).toBe(true);
  });

  it.each(ATTACKS)('refuses $name', async ({ token: build, reason }) => {
    const token = await build();
    expect(await verifier.check(token)).toEqual({ ok: false, reason });
    expect(await outcomeOf(authenticate, token)).toEqual(REFUSED);
  });
});

describe('JwtVerifier with a JWKS URL', () => {
  it('fetched the key set once for all of the above (cached, and no refetch for a known kid)', () => {
    expect(jwksRequests).toBe(1);
  });

  it('refuses every token while the key set cannot be fetched, as a key-source failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = await JwtVerifier.create({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
      jwksTimeoutMs: 1000,
    });
    const result = await verifier.check(await signed());
    expect(result).toEqual({
      ok: false,
      reason: 'ERR_KEY_SOURCE',
      cause: expect.objectContaining({ name: 'TypeError', message: 'fetch failed' }),
    }); // connection refused
    expect(await outcomeOf(createAuthenticator({ apiKeys: NO_API_KEYS, jwt: verifier }), await signed())).toEqual(
      REFUSED,
    );
  });
});

describe('JwtVerifier.create', () => {
  const base = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] };

  it('refuses symmetric algorithms and none, whatever else is configured', async () => {
    for (const algorithms of [['HS256'], ['RS256', 'HS512'], ['none'], []]) {
      const error = await JwtVerifier.create({ ...base, algorithms, publicKeyPem }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as Error).message).toBe(
        `expected asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA) in AUTH_JWT_ALGORITHMS, got ${JSON.stringify(algorithms)}`,
      );
    }
  });

  it('needs exactly one key source, and a public key that fits an allowed algorithm', async () => {
    const messages = await Promise.all(
      [
        JwtVerifier.create(base),
        JwtVerifier.create({ ...base, publicKeyPem, jwksUrl }),
        JwtVerifier.create({ ...base, publicKeyPem: 'not a key' }),
        JwtVerifier.create({ ...base, algorithms: ['ES256'], publicKeyPem }),
      ].map((attempt) =>
        attempt.then(
          () => 'created',
          (error: Error) => error.message,
        ),
      ),
    );
    expect(messages).toEqual([
      'JWT authentication needs exactly one key source: AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY',
      'JWT authentication needs exactly one key source: AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY',
      'AUTH_JWT_PUBLIC_KEY is not a PEM (SPKI) public key for any of RS256',
      'AUTH_JWT_PUBLIC_KEY is not a PEM (SPKI) public key for any of ES256',
    ]);
  });

  it('serves RS256 and ES256 tokens from one RSA key only as RS256 when both are allowed', async () => {
    const verifier = await JwtVerifier.create({ ...base, algorithms: ['RS256', 'ES256'], publicKeyPem });
    expect((await verifier.check(await signed())).ok).toBe(true);
    expect(
      await verifier.check(await signed({}, (await generateKeyPair('ES256')).privateKey, { alg: 'ES256' })),
    ).toEqual({ ok: false, reason: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

describe('jwtVerifierFromSettings', () => {
  it('is off without AUTH_JWT_ISSUER, and refuses a partial configuration', async () => {
    expect(await jwtVerifierFromSettings({ AUTH_JWT_ALGORITHMS: 'RS256,ES256' })).toBeUndefined();
    const messages = await Promise.all(
      [
        jwtVerifierFromSettings({ AUTH_JWT_ALGORITHMS: 'RS256', AUTH_JWT_AUDIENCE: AUDIENCE }),
        jwtVerifierFromSettings({
          AUTH_JWT_ALGORITHMS: 'RS256',
          AUTH_JWT_ISSUER: ISSUER,
          AUTH_JWT_PUBLIC_KEY: publicKeyPem,
        }),
        jwtVerifierFromSettings({ AUTH_JWT_ALGORITHMS: 'RS256', AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE }),
      ].map((attempt) =>
        attempt.then(
          () => 'created',
          (error: Error) => error.message,
        ),
      ),
    );
    expect(messages).toEqual([
      'AUTH_JWT_AUDIENCE, AUTH_JWT_JWKS_URL and AUTH_JWT_PUBLIC_KEY need AUTH_JWT_ISSUER',
      'JWT authentication needs an audience (AUTH_JWT_AUDIENCE)',
      'JWT authentication needs exactly one key source: AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY',
    ]);
  });

  it('builds a working verifier from the settings', async () => {
    const verifier = await jwtVerifierFromSettings({
      AUTH_JWT_ALGORITHMS: 'RS256,ES256',
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      AUTH_JWT_PUBLIC_KEY: publicKeyPem,
    });
    expect(await verifier?.verify(await signed())).toEqual({
      subject: `jwt:${ISSUER}|user-42`,
      kind: 'jwt',
      scopes: new Set(['contacts:read']),
    });
  });
});
