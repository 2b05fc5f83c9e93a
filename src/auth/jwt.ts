import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  jwtVerify,
  type CryptoKey,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { isScope, type Principal, type Scope } from './principal.js';

/** Asymmetric JWS algorithms only: `none` and the HS* family (shared secrets) are never accepted. */
const ASYMMETRIC_ALGORITHM = /^((RS|PS|ES)(256|384|512)|EdDSA|Ed25519)$/;

export interface JwtVerifierOptions {
  /** Required `iss`, exactly. */
  issuer: string;
  /** Required `aud` (one of the token's audiences). */
  audience: string;
  /** Accepted `alg` values: asymmetric only (RS*, PS*, ES*, EdDSA); anything else is refused at construction. */
  algorithms: readonly string[];
  /** Where the issuer publishes its keys (fetched on first use, cached 10 min, refetched at most every 30 s on an unknown `kid`). One of this or publicKeyPem. */
  jwksUrl?: string;
  /** The issuer's public key, PEM (SPKI). One of this or jwksUrl. */
  publicKeyPem?: string;
  /** Clock skew allowed on `exp` and `nbf`, in seconds. @default 5 */
  clockToleranceSeconds?: number;
  /** How long a JWKS fetch may take. @default 5000 */
  jwksTimeoutMs?: number;
}

/** The JWT settings as src/config.ts names them (structurally; Settings fits). */
export interface JwtSettings {
  AUTH_JWT_ISSUER?: string | undefined;
  AUTH_JWT_AUDIENCE?: string | undefined;
  AUTH_JWT_JWKS_URL?: string | undefined;
  AUTH_JWT_PUBLIC_KEY?: string | undefined;
  AUTH_JWT_ALGORITHMS: string;
}

/**
 * Why a token was refused, for the log (never for the client): jose's error code (`ERR_JWT_EXPIRED`,
 * `ERR_JOSE_ALG_NOT_ALLOWED`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`, …), with the claim for a claim
 * check (`ERR_JWT_CLAIM_VALIDATION_FAILED:iss`); `ERR_KEY_SOURCE` when the JWKS could not be fetched.
 */
export type JwtCheck = { ok: true; principal: Principal } | { ok: false; reason: string; cause?: unknown };

/** A JWT configuration that cannot work: the message names the setting to fix. */
export class JwtConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwtConfigError';
  }
}

/**
 * Verifies JWTs with jose: signature by a key of the configured issuer, `alg` from the allow-list,
 * `iss`, `aud`, `exp` (required) and `nbf` with a small clock tolerance, and a `sub`. The principal's
 * scopes come from `scope` (space-separated, OAuth 2.0) and/or `scp` (array or space-separated);
 * scopes the gateway does not know are ignored.
 */
export class JwtVerifier {
  private constructor(
    private readonly options: Required<Pick<JwtVerifierOptions, 'issuer' | 'audience' | 'clockToleranceSeconds'>> & {
      algorithms: string[];
    },
    private readonly getKey: JWTVerifyGetKey,
  ) {}

  /** Validates the options and loads the configured public key (a bad PEM fails here, at start-up). */
  static async create(options: JwtVerifierOptions): Promise<JwtVerifier> {
    if (!options.issuer) throw new JwtConfigError('JWT authentication needs an issuer (AUTH_JWT_ISSUER)');
    if (!options.audience) throw new JwtConfigError('JWT authentication needs an audience (AUTH_JWT_AUDIENCE)');
    const algorithms = [...new Set(options.algorithms)];
    const refused = algorithms.filter((alg) => !ASYMMETRIC_ALGORITHM.test(alg));
    if (algorithms.length === 0 || refused.length > 0) {
      throw new JwtConfigError(
        `expected asymmetric JWS algorithms (RS*, PS*, ES*, EdDSA) in AUTH_JWT_ALGORITHMS, got ${JSON.stringify(options.algorithms)}`,
      );
    }
    if (Boolean(options.jwksUrl) === Boolean(options.publicKeyPem)) {
      throw new JwtConfigError(
        'JWT authentication needs exactly one key source: AUTH_JWT_JWKS_URL or AUTH_JWT_PUBLIC_KEY',
      );
    }
    const getKey = options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: options.jwksTimeoutMs ?? 5000 })
      : await publicKeyResolver(options.publicKeyPem as string, algorithms);
    return new JwtVerifier(
      {
        issuer: options.issuer,
        audience: options.audience,
        algorithms,
        clockToleranceSeconds: options.clockToleranceSeconds ?? 5,
      },
      getKey,
    );
  }

  /** The principal of a valid token, or why it is refused. Never throws for a bad token. */
  async check(token: string): Promise<JwtCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.getKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: this.options.algorithms,
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      return { ok: false, ...rejectionOf(error) };
    }
    if (typeof payload.sub !== 'string' || payload.sub === '')
      return { ok: false, reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED:sub' };
    return {
      ok: true,
      principal: { subject: `jwt:${this.options.issuer}|${payload.sub}`, kind: 'jwt', scopes: scopesOf(payload) },
    };
  }

  /** The principal of a valid token; undefined for any other. */
  async verify(token: string): Promise<Principal | undefined> {
    const result = await this.check(token);
    return result.ok ? result.principal : undefined;
  }
}

/**
 * The JwtVerifier the settings describe, or undefined when AUTH_JWT_ISSUER is unset (JWTs off).
 * Throws JwtConfigError on a partial configuration, so a typo stops the start rather than every login.
 */
export async function jwtVerifierFromSettings(settings: JwtSettings): Promise<JwtVerifier | undefined> {
  const {
    AUTH_JWT_ISSUER: issuer,
    AUTH_JWT_AUDIENCE: audience,
    AUTH_JWT_JWKS_URL: jwksUrl,
    AUTH_JWT_PUBLIC_KEY: publicKeyPem,
  } = settings;
  if (!issuer) {
    if (audience || jwksUrl || publicKeyPem)
      throw new JwtConfigError('AUTH_JWT_AUDIENCE, AUTH_JWT_JWKS_URL and AUTH_JWT_PUBLIC_KEY need AUTH_JWT_ISSUER');
    return undefined;
  }
  return JwtVerifier.create({
    issuer,
    audience: audience ?? '',
    algorithms: settings.AUTH_JWT_ALGORITHMS.split(','),
    ...(jwksUrl ? { jwksUrl } : {}),
    ...(publicKeyPem ? { publicKeyPem } : {}),
  });
}

/**
 * One configured public key, imported once per allowed algorithm it fits (an RSA key serves RS* and
 * PS*, not ES*). A token whose `alg` the key does not fit finds no key.
 */
async function publicKeyResolver(pem: string, algorithms: string[]): Promise<JWTVerifyGetKey> {
  const keys = new Map<string, CryptoKey>();
  for (const alg of algorithms) {
    try {
      keys.set(alg, await importSPKI(pem, alg));
    } catch {
      // this key type does not serve this algorithm
    }
  }
  if (keys.size === 0) {
    throw new JwtConfigError(`AUTH_JWT_PUBLIC_KEY is not a PEM (SPKI) public key for any of ${algorithms.join(', ')}`);
  }
  return (header: JWTHeaderParameters) => {
    const key = keys.get(header.alg);
    if (!key) throw new errors.JWKSNoMatchingKey('the configured public key does not fit this algorithm');
    return key;
  };
}

function rejectionOf(error: unknown): { reason: string; cause?: unknown } {
  if (error instanceof errors.JWTClaimValidationFailed) return { reason: `${error.code}:${error.claim}` };
  if (error instanceof errors.JWKSTimeout) return { reason: 'ERR_KEY_SOURCE', cause: error };
  if (error instanceof errors.JOSEError) {
    // jose's bare JOSEError is a JWKS response that was not a 200 JSON key set.
    return error.constructor === errors.JOSEError ? { reason: 'ERR_KEY_SOURCE', cause: error } : { reason: error.code };
  }
  // fetch() failures (connection refused, DNS) while loading the JWKS.
  return { reason: 'ERR_KEY_SOURCE', cause: error };
}

/** Known scopes from `scope` (space-separated) and `scp` (array or space-separated); unknown ones are dropped. */
function scopesOf(payload: JWTPayload): Set<Scope> {
  const named: unknown[] = [];
  for (const claim of [payload['scope'], payload['scp']]) {
    if (typeof claim === 'string') named.push(...claim.split(' '));
    else if (Array.isArray(claim)) named.push(...(claim as unknown[]));
  }
  return new Set(named.filter((s): s is Scope => typeof s === 'string' && isScope(s)));
}
