import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { createAuthenticator, type ApiKeyCheck, type JwtCheck, type Principal } from '../../src/auth/index.js';
import { UnauthenticatedError } from '../../src/errors.js';

// The Authorization header → Principal, or UNAUTHENTICATED with nothing that says which check failed.
// The key store and the JWT verifier are stubs here that record what reached them; the real ones
// are in api-keys.test.ts and jwt.test.ts.

const KEY = 'cgk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl';
const KEY_PRINCIPAL: Principal = {
  subject: 'key:0123456789abcdef',
  kind: 'api-key',
  scopes: new Set(['contacts:read']),
};
const JWT_PRINCIPAL: Principal = { subject: 'jwt:iss|user-42', kind: 'jwt', scopes: new Set(['sync:admin']) };

/** An authenticator over stubs answering `keyAnswer`/`jwtAnswer`, and what reached them and the log. */
function harness(keyAnswer: ApiKeyCheck, jwtAnswer?: JwtCheck) {
  const calls: string[] = [];
  const logLines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const authenticate = createAuthenticator({
    apiKeys: { check: async (secret) => (calls.push(`key ${secret}`), keyAnswer) },
    jwt: jwtAnswer && { check: async (token) => (calls.push(`jwt ${token}`), jwtAnswer) },
    logger,
  });
  return { authenticate, calls, logLines };
}

/** The client's view of a refusal, or the principal. */
async function outcomeOf(promise: Promise<Principal>): Promise<unknown> {
  try {
    return await promise;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { message: error.message, code: error.extensions['code'] };
  }
}

const MISSING = { message: 'authentication required: send Authorization: Bearer <token>', code: 'UNAUTHENTICATED' };
const INVALID = { message: 'invalid or expired token', code: 'UNAUTHENTICATED' };

describe('createAuthenticator', () => {
  it('hands an API key (cgk_ prefix) to the key store and returns its principal', async () => {
    const { authenticate, calls } = harness(
      { ok: true, principal: KEY_PRINCIPAL },
      { ok: true, principal: JWT_PRINCIPAL },
    );
    expect(await authenticate(`Bearer ${KEY}`)).toBe(KEY_PRINCIPAL);
    expect(calls).toEqual([`key ${KEY}`]);
  });

  it('hands a JWT (two dots) to the JWT verifier and returns its principal', async () => {
    const { authenticate, calls } = harness(
      { ok: true, principal: KEY_PRINCIPAL },
      { ok: true, principal: JWT_PRINCIPAL },
    );
    expect(await authenticate(`Bearer ${JWT}`)).toBe(JWT_PRINCIPAL);
    expect(calls).toEqual([`jwt ${JWT}`]);
  });

  it('takes the scheme in any case and tolerates extra spaces', async () => {
    const { authenticate } = harness({ ok: true, principal: KEY_PRINCIPAL });
    expect(await authenticate(`bearer ${KEY}`)).toBe(KEY_PRINCIPAL);
    expect(await authenticate(`BEARER   ${KEY} `)).toBe(KEY_PRINCIPAL);
  });

  it('asks for a Bearer token when there is none, asking neither verifier', async () => {
    const { authenticate, calls } = harness(
      { ok: true, principal: KEY_PRINCIPAL },
      { ok: true, principal: JWT_PRINCIPAL },
    );
    const outcomes = await Promise.all(
      [
        undefined,
        '',
        '  ',
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from('a:b').toString('base64')}=`,
        KEY,
        `Token ${KEY}`,
        `Bearer ${KEY} extra`,
      ].map((header) => outcomeOf(authenticate(header))),
    );
    expect(outcomes).toEqual(Array(9).fill(MISSING));
    expect(calls).toEqual([]);
  });

  it('refuses unknown, revoked and malformed keys, bad JWTs, JWTs when they are not configured, and other tokens, all alike', async () => {
    const outcomes = await Promise.all([
      outcomeOf(harness({ ok: false, reason: 'unknown', keyId: '0123456789abcdef' }).authenticate(`Bearer ${KEY}`)),
      outcomeOf(harness({ ok: false, reason: 'revoked', keyId: '0123456789abcdef' }).authenticate(`Bearer ${KEY}`)),
      outcomeOf(harness({ ok: false, reason: 'malformed' }).authenticate('Bearer cgk_short')),
      outcomeOf(
        harness({ ok: false, reason: 'malformed' }, { ok: false, reason: 'ERR_JWT_EXPIRED' }).authenticate(
          `Bearer ${JWT}`,
        ),
      ),
      outcomeOf(harness({ ok: true, principal: KEY_PRINCIPAL }).authenticate(`Bearer ${JWT}`)),
      outcomeOf(
        harness({ ok: true, principal: KEY_PRINCIPAL }, { ok: true, principal: JWT_PRINCIPAL }).authenticate(
          'Bearer just-some-opaque-token',
        ),
      ),
      outcomeOf(
        harness({ ok: true, principal: KEY_PRINCIPAL }, { ok: true, principal: JWT_PRINCIPAL }).authenticate(
          'Bearer a.b.c.d',
        ),
      ),
    ]);
    expect(outcomes).toEqual(Array(7).fill(INVALID));
  });

  it('throws an UnauthenticatedError that makes Apollo Server answer HTTP 401 with WWW-Authenticate: Bearer', async () => {
    const error = await harness({ ok: false, reason: 'unknown' })
      .authenticate(`Bearer ${KEY}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as GraphQLError).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) },
    });
  });

  it('logs why a request was refused, with the key id but never the token', async () => {
    const revoked = harness({ ok: false, reason: 'revoked', keyId: '0123456789abcdef' });
    await revoked.authenticate(`Bearer ${KEY}`).catch(() => undefined);
    const expired = harness({ ok: false, reason: 'malformed' }, { ok: false, reason: 'ERR_JWT_EXPIRED' });
    await expired.authenticate(`Bearer ${JWT}`).catch(() => undefined);
    const bare = harness({ ok: false, reason: 'malformed' });
    await bare.authenticate(KEY).catch(() => undefined);
    await bare.authenticate(`Basic ${KEY}`).catch(() => undefined);
    const fields = (lines: Record<string, unknown>[]) =>
      lines.map(({ level, component, reason, keyId, scheme, msg }) => ({
        level,
        component,
        reason,
        keyId,
        scheme,
        msg,
      }));
    const refused = 'request refused: not authenticated';
    expect(fields(revoked.logLines)).toEqual([
      {
        level: 30,
        component: 'auth',
        reason: 'api key revoked',
        keyId: '0123456789abcdef',
        scheme: undefined,
        msg: refused,
      },
    ]);
    expect(fields(expired.logLines)).toEqual([
      {
        level: 30,
        component: 'auth',
        reason: 'jwt ERR_JWT_EXPIRED',
        keyId: undefined,
        scheme: undefined,
        msg: refused,
      },
    ]);
    expect(fields(bare.logLines)).toEqual([
      {
        level: 30,
        component: 'auth',
        reason: 'not a Bearer credential',
        keyId: undefined,
        scheme: undefined,
        msg: refused,
      },
      {
        level: 30,
        component: 'auth',
        reason: 'not a Bearer credential',
        keyId: undefined,
        scheme: 'Basic',
        msg: refused,
      },
    ]);
    const everything = JSON.stringify([...revoked.logLines, ...expired.logLines, ...bare.logLines]);
    expect(everything).not.toContain(KEY.slice('cgk_0123456789abcdef_'.length));
    expect(everything).not.toContain(JWT);
  });

  it('lets a key store failure through: MongoDB being down is not a bad credential', async () => {
    const authenticate = createAuthenticator({
      apiKeys: {
        check: async () => {
          throw new Error('connection refused');
        },
      },
    });
    await expect(authenticate(`Bearer ${KEY}`)).rejects.toThrow('connection refused');
  });
});
