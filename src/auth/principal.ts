/**
 * Who is calling, and what they may do. Authentication (API keys, JWTs) produces a Principal;
 * authorization (the schema's `@auth(requires: …)` directive) reads its scopes.
 */
export const SCOPES = [
  'contacts:read',
  'contacts:write',
  'companies:read',
  'companies:write',
  'activities:read',
  'activities:write',
  'sync:admin',
] as const;

export type Scope = (typeof SCOPES)[number];

export interface Principal {
  /** Stable id of the caller, the rate limiter's key: `key:<id>` for an API key, `jwt:<iss>|<sub>` for a JWT. */
  subject: string;
  /** How the caller proved who they are. `open` = authentication not configured (tests, never production). */
  kind: 'api-key' | 'jwt' | 'open';
  scopes: ReadonlySet<Scope>;
}

/** True when `value` names one of the gateway's scopes. */
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** The principal of a gateway started without authentication: every scope. Never used in production. */
export const OPEN_PRINCIPAL: Principal = Object.freeze({
  subject: 'open',
  kind: 'open',
  scopes: new Set<Scope>(SCOPES),
});

/**
 * Turns a request's `Authorization` header (undefined when absent) into a Principal, or throws an
 * UnauthenticatedError. The gateway calls it once per GraphQL request.
 */
export type Authenticate = (authorization: string | undefined) => Promise<Principal>;
