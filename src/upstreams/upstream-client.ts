import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { UpstreamRejectedError, UpstreamUnavailableError, type SystemName } from '../errors.js';
import { logger } from '../logger.js';
import { currentRequestId, REQUEST_ID_HEADER } from '../observability/request-context.js';

export interface UpstreamClientOptions {
  system: SystemName;
  /** The system's GraphQL endpoint. Never shown to clients. */
  url: string;
  /** Bound on one HTTP request. @default 3000 */
  timeoutMs?: number;
  /** Retries of a retry-safe request after a retryable failure. @default 2 */
  retries?: number;
  /** First backoff; doubled per retry, jittered, capped by maxDelayMs. @default 100 */
  baseDelayMs?: number;
  /** @default 2000 */
  maxDelayMs?: number;
  /** Longest Retry-After (HTTP 429) worth waiting for inside one call; longer fails at once. @default 5000 */
  maxRetryAfterMs?: number;
  /**
   * Sent as `Authorization: Bearer <token>` on every request; never logged, never in an error.
   * Printable ASCII, no spaces. @default none: no Authorization header
   */
  token?: string;
}

/**
 * The system refused the gateway's own credentials (HTTP 401): a misconfigured or rotated token,
 * not a fault of the request. An outage to everything above (reads fail with UPSTREAM_UNAVAILABLE,
 * writes wait in the outbox, sync feeds resume from their cursors once the token is fixed), but
 * never retried within a call: the same token would be refused again.
 */
export class UpstreamCredentialsError extends UpstreamUnavailableError {
  constructor(system: SystemName) {
    super(system, "it refused the gateway's credentials (HTTP 401)");
  }
}

/** One request as seen by observers (metrics, tests). */
export interface UpstreamRequestEvent {
  system: SystemName;
  operation: string;
  outcome: 'ok' | 'rejected' | 'unavailable';
  durationMs: number;
  attempt: number;
}

export interface RequestOptions {
  /** Retry on network errors, timeouts, 5xx and 429. Queries are; a mutation only when it is idempotent. */
  retry?: boolean;
  /** Extra headers, e.g. a request id. */
  headers?: Record<string, string>;
}

/**
 * A GraphQL client for one upstream system, over HTTP with `graphql-request`: every request has a
 * timeout; failures come back as typed errors (UpstreamUnavailableError when the system can't be
 * reached in time, UpstreamRejectedError when it answered with an error of its own); retry-safe
 * requests are retried with capped, jittered exponential backoff that honours Retry-After. A refused
 * token (HTTP 401) is an UpstreamCredentialsError, never retried, and logged once per streak.
 */
export class UpstreamClient {
  readonly system: SystemName;
  private readonly client: GraphQLClient;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly observers = new Set<(event: UpstreamRequestEvent) => void>();
  /** Whether the last answer was a refused token: an error is logged when this turns true. */
  private credentialsRefused = false;

  constructor(options: UpstreamClientOptions) {
    // Never put the token itself in this message: it ends up in logs.
    if (options.token !== undefined && !/^[\x21-\x7e]+$/.test(options.token)) {
      throw new Error(`UpstreamClient for ${options.system}: the token must be printable ASCII without spaces`);
    }
    this.system = options.system;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.retries = options.retries ?? 2;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 5000;
    this.client = new GraphQLClient(options.url, {
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    });
  }

  /** Calls `observer` after every HTTP attempt; returns a function that unsubscribes. */
  observe(observer: (event: UpstreamRequestEvent) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** A read: always retry-safe. */
  query<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions = {},
  ): Promise<TResult> {
    return this.request(document, variables, { retry: true, ...options });
  }

  /** A write: not retried unless the caller says it is idempotent. */
  mutate<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions = {},
  ): Promise<TResult> {
    return this.request(document, variables, { retry: false, ...options });
  }

  private async request<TResult, TVariables extends object>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options: RequestOptions,
  ): Promise<TResult> {
    const operation = operationNameOf(document);
    const attempts = options.retry ? this.retries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const result = await this.client.request<TResult>({
          document,
          variables: variables as Record<string, unknown>,
          requestHeaders: requestHeadersFor(options.headers),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        this.emit({ system: this.system, operation, outcome: 'ok', durationMs: performance.now() - started, attempt });
        this.noteCredentials(false, operation);
        return result;
      } catch (raw) {
        const error = this.classify(raw);
        const outcome = error instanceof UpstreamRejectedError ? 'rejected' : 'unavailable';
        this.emit({ system: this.system, operation, outcome, durationMs: performance.now() - started, attempt });
        this.noteCredentials(error instanceof UpstreamCredentialsError, operation);
        if (error instanceof UpstreamRejectedError || error instanceof UpstreamCredentialsError || attempt >= attempts)
          throw error;
        const delay = this.backoff(attempt, error.retryAfterSeconds);
        if (delay > this.maxRetryAfterMs) throw error; // the system asks for a longer pause than a call may take
        logger.debug(
          { system: this.system, operation, attempt, delayMs: delay, reason: error.message },
          'upstream retry',
        );
        await sleep(delay);
      }
    }
  }

  /** Maps whatever graphql-request or fetch threw to one of our two typed upstream errors. */
  private classify(raw: unknown): UpstreamRejectedError | UpstreamUnavailableError {
    if (raw instanceof ClientError) {
      const status = raw.response.status;
      if (status === 401) return new UpstreamCredentialsError(this.system);
      if (status === 429) {
        const retryAfter = Number(raw.response.headers?.get('retry-after'));
        return new UpstreamUnavailableError(
          this.system,
          'rate limited (HTTP 429)',
          Number.isFinite(retryAfter) ? retryAfter : undefined,
        );
      }
      if (status >= 500) return new UpstreamUnavailableError(this.system, `HTTP ${status}`);
      const first = raw.response.errors?.[0];
      if (first) {
        const extensions = (first.extensions ?? {}) as Record<string, unknown>;
        const code = typeof extensions['code'] === 'string' ? extensions['code'] : undefined;
        const field = typeof extensions['field'] === 'string' ? extensions['field'] : undefined;
        return new UpstreamRejectedError(this.system, first.message, code, field);
      }
      return new UpstreamUnavailableError(this.system, `HTTP ${status}`);
    }
    // Not `instanceof Error`: fetch's DOMException may come from another realm (e.g. a test VM).
    const name = typeof raw === 'object' && raw !== null && 'name' in raw ? String(raw.name) : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new UpstreamUnavailableError(this.system, `no answer within ${this.timeoutMs} ms`);
    }
    return new UpstreamUnavailableError(this.system, 'connection failed');
  }

  /** Logs when the system starts refusing our token and when it accepts it again, not on every request. */
  private noteCredentials(refused: boolean, operation: string): void {
    if (refused === this.credentialsRefused) return;
    this.credentialsRefused = refused;
    if (refused)
      logger.error(
        { system: this.system, operation },
        `${this.system} refuses the gateway's credentials (HTTP 401); check ${this.system}_TOKEN`,
      );
    else logger.info({ system: this.system, operation }, `${this.system} accepts the gateway's credentials again`);
  }

  /** Capped, jittered exponential backoff; exactly what Retry-After asks (plus jitter) when it is given. */
  private backoff(attempt: number, retryAfterSeconds: number | undefined): number {
    if (retryAfterSeconds !== undefined) return retryAfterSeconds * 1000 + Math.random() * this.baseDelayMs;
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private emit(event: UpstreamRequestEvent): void {
    for (const observer of this.observers) observer(event);
  }
}

/** The caller's extra headers plus the request id of the work in progress, so the systems' logs can be joined to ours. */
function requestHeadersFor(extra: Record<string, string> | undefined): Record<string, string> | undefined {
  const requestId = currentRequestId();
  if (!requestId) return extra;
  return { [REQUEST_ID_HEADER]: requestId, ...extra };
}

function operationNameOf(document: TypedDocumentNode<unknown, never>): string {
  for (const definition of document.definitions) {
    if (definition.kind === 'OperationDefinition') return definition.name?.value ?? 'anonymous';
  }
  return 'anonymous';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
