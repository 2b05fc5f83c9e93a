import { UnauthenticatedError } from '../errors.js';
import { logger as defaultLogger, type Logger } from '../logger.js';
import { API_KEY_PREFIX, type ApiKeyStore } from './api-keys.js';
import type { JwtVerifier } from './jwt.js';
import type { Authenticate, Principal } from './principal.js';

export interface AuthenticatorOptions {
  /** Verifies `cgk_…` tokens. */
  apiKeys: Pick<ApiKeyStore, 'check'>;
  /** Verifies JWTs; absent = JWTs are refused. */
  jwt?: Pick<JwtVerifier, 'check'> | undefined;
  /** Where refusals are logged (their reason, never the token). @default the process logger */
  logger?: Logger;
}

/** `Bearer <token>`; the scheme is case-insensitive (RFC 7235), the token68 charset (RFC 6750). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** Three base64url segments, the last possibly empty (`alg: none` tokens end in a dot: refused, but by jose, and logged as such). */
const COMPACT_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const MISSING = 'authentication required: send Authorization: Bearer <token>';
const INVALID = 'invalid or expired token';

/**
 * The gateway's Authenticate: `Authorization: Bearer <token>`, where the token is an API key (it
 * starts with `cgk_`) or a JWT (three dot-separated segments). Anything else, and any key or JWT that
 * fails a check, throws UnauthenticatedError (HTTP 401); the client learns only "missing" or
 * "invalid or expired", the log learns which check failed. Errors of the key store itself (MongoDB
 * down) propagate: they are not the client's fault and must not look like a bad credential.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  const log = (options.logger ?? defaultLogger).child({ component: 'auth' });
  const refuse = (fields: Record<string, unknown>, message = INVALID): never => {
    log.info(fields, 'request refused: not authenticated');
    throw new UnauthenticatedError(message);
  };

  return async (authorization: string | undefined): Promise<Principal> => {
    if (authorization === undefined || authorization.trim() === '')
      return refuse({ reason: 'no Authorization header' }, MISSING);
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      // The scheme's name only when it looks like one: a bare token sent without a scheme is not logged.
      const scheme = /^([A-Za-z][A-Za-z0-9-]{0,19}) /.exec(authorization)?.[1];
      return refuse({ reason: 'not a Bearer credential', scheme }, MISSING);
    }
    if (token.startsWith(API_KEY_PREFIX)) {
      const result = await options.apiKeys.check(token);
      if (result.ok) return result.principal;
      return refuse({ reason: `api key ${result.reason}`, keyId: result.keyId });
    }
    if (COMPACT_JWT.test(token)) {
      if (!options.jwt) return refuse({ reason: 'jwt authentication not configured' });
      const result = await options.jwt.check(token);
      if (result.ok) return result.principal;
      if (result.cause !== undefined) log.warn({ err: result.cause }, 'jwt keys could not be loaded');
      return refuse({ reason: `jwt ${result.reason}` });
    }
    return refuse({ reason: 'neither an api key nor a jwt' });
  };
}
