import { GraphQLError } from 'graphql';

/**
 * Every error code a client of the gateway (or of a reference system) can see, in one place.
 * Apollo Server's own codes (BAD_USER_INPUT, INTERNAL_SERVER_ERROR, …) are reused by name.
 */
export enum ErrorCode {
  /** A request the HTTP layer refuses before GraphQL sees it: too large, batched, malformed JSON, CSRF. */
  BadRequest = 'BAD_REQUEST',
  BadUserInput = 'BAD_USER_INPUT',
  NotFound = 'NOT_FOUND',
  VersionConflict = 'VERSION_CONFLICT',
  PreconditionFailed = 'PRECONDITION_FAILED',
  UpstreamUnavailable = 'UPSTREAM_UNAVAILABLE',
  UpstreamRejected = 'UPSTREAM_REJECTED',
  RateLimited = 'RATE_LIMITED',
  /** Over a limit of live connections: subscriptions per WebSocket connection. */
  LimitExceeded = 'LIMIT_EXCEEDED',
  Forbidden = 'FORBIDDEN',
  Unauthenticated = 'UNAUTHENTICATED',
  Conflict = 'CONFLICT',
  Internal = 'INTERNAL_SERVER_ERROR',
}

/** The two systems behind the gateway, as named in the public schema. */
export type SystemName = 'CUSTOMERP' | 'CRMOFFICE';

/** Invalid input: names the offending field so a client can point at it. */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, field: string) {
    super(message, { extensions: { code: ErrorCode.BadUserInput, field } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.NotFound } });
  }
}

/** A write carried a stale concurrency token (Customerp `expectedVersion`). */
export class VersionConflictError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.VersionConflict } });
  }
}

/** A write carried a stale concurrency token (Crmoffice `ifMatch`). */
export class PreconditionFailedError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.PreconditionFailed } });
  }
}

/** A system could not be reached in time (down, timing out, rate limiting). Never carries its URL. */
export class UpstreamUnavailableError extends GraphQLError {
  readonly system: SystemName;
  /** Seconds the system asked us to wait (HTTP 429 Retry-After), if it said. */
  readonly retryAfterSeconds: number | undefined;
  constructor(system: SystemName, reason: string, retryAfterSeconds?: number) {
    super(`${system} is unavailable: ${reason}`, {
      extensions: { code: ErrorCode.UpstreamUnavailable, system },
    });
    this.system = system;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A system answered, but refused the request (its own validation, a stale concurrency token, an
 * unknown id). `upstreamCode` is the system's own code, e.g. VERSION_CONFLICT or PRECONDITION_FAILED.
 */
export class UpstreamRejectedError extends GraphQLError {
  readonly system: SystemName;
  readonly upstreamCode: string | undefined;
  readonly field: string | undefined;
  constructor(system: SystemName, message: string, upstreamCode: string | undefined, field: string | undefined) {
    super(`${system} rejected the request: ${message}`, {
      extensions: { code: ErrorCode.UpstreamRejected, system, upstreamCode, field },
    });
    this.system = system;
    this.upstreamCode = upstreamCode;
    this.field = field;
  }

  /** The write carried a stale concurrency token: refetch, merge and try again. */
  get isConcurrencyConflict(): boolean {
    return this.upstreamCode === ErrorCode.VersionConflict || this.upstreamCode === ErrorCode.PreconditionFailed;
  }
}

/**
 * No valid credentials. Thrown while building the request context, so Apollo Server answers HTTP 401
 * with `WWW-Authenticate: Bearer` (it reads `extensions.http` and strips it from the response body).
 * The message never says which check failed.
 */
export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'invalid or expired token') {
    super(message, {
      extensions: {
        code: ErrorCode.Unauthenticated,
        http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) },
      },
    });
  }
}

/** The caller's scopes do not grant a field (the schema's `@auth`); nothing of the field was read. */
export class ForbiddenError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: ErrorCode.Forbidden } });
  }
}

/**
 * The caller used up its quota. Thrown while building the request context, so Apollo Server answers
 * HTTP 429 with `Retry-After` (from `extensions.http`, which it strips from the response body).
 */
export class RateLimitedError extends GraphQLError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, {
      extensions: {
        code: ErrorCode.RateLimited,
        retryAfter: retryAfterSeconds,
        http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
      },
    });
  }
}

/** Over a limit that is not about time (subscriptions per connection); `limit` names it. */
export class LimitExceededError extends GraphQLError {
  constructor(message: string, limit: string) {
    super(message, { extensions: { code: ErrorCode.LimitExceeded, limit } });
  }
}

/** The error code carried by any GraphQL-shaped error, or undefined. */
export function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof GraphQLError) {
    const code = error.extensions['code'];
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
