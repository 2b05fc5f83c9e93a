import type { Db } from 'mongodb';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../errors.js';
import { logger } from '../../logger.js';

/** The collection the rate limiter counts in: one document per client and window. */
export const RATE_LIMITS_COLLECTION = 'rate_limits';

export interface RateLimitOptions {
  /** Requests one client may send per window (the RATE_LIMIT_POINTS setting). */
  points: number;
  /** The window, in seconds (the RATE_LIMIT_WINDOW_S setting). */
  windowSeconds: number;
  /** Where the counts are kept, shared by every gateway process using it. @default the gateway's database */
  db?: Db;
  /** How long a count may wait for MongoDB before this process counts it in memory instead. @default 1000 */
  storeTimeoutMs?: number;
  /** Tokens a process takes from the shared count at once. @default leaseSizeFor(points) */
  leaseSize?: number;
}

/** How often, at most, the limiter repeats that it is counting in memory. */
const WARNING_INTERVAL_MS = 60_000;

/**
 * Creates the rate limiter's index; call once at start-up, before serving (idempotent).
 * rate-limiter-flexible's own index creation is off: it also wants a TTL index, which the embedded engine lacks.
 */
export async function setupRateLimitIndexes(db: Db): Promise<void> {
  // One document per key. The store's upsert relies on it: a count after the window ended collides
  // with the old document (E11000) and replaces it, rather than adding a document per window. So no
  // TTL index is needed either: stale documents are bounded by the number of clients.
  await db.collection(RATE_LIMITS_COLLECTION).createIndex({ key: 1 }, { name: 'key_unique', unique: true });
}

/**
 * The in-memory limiter that takes over when MongoDB fails or is slow (rate-limiter-flexible's
 * insurance), saying so in the log: counts are then per process and start from zero, but every
 * client stays limited rather than the gateway failing open.
 */
class InsuranceLimiter extends RateLimiterMemory {
  private counted = 0;
  private warnedAt = Number.NEGATIVE_INFINITY;

  override consume(
    key: string | number,
    pointsToConsume?: number,
    options?: Record<string, unknown>,
  ): Promise<RateLimiterRes> {
    this.counted++;
    const now = Date.now();
    if (now - this.warnedAt >= WARNING_INTERVAL_MS) {
      logger.warn(
        { leases: this.counted },
        "rate limit store (MongoDB) failed or timed out: counting requests in this process's memory until it answers again",
      );
      this.warnedAt = now;
      this.counted = 0;
    }
    return super.consume(key, pointsToConsume, options);
  }
}

/**
 * Requests one process serves from memory per round trip to the shared count: a tenth of the points
 * (at most 100). Across P processes a client never gets more than its points per window; it gets at
 * least points − (P − 1) × lease size (tokens another process took and the client did not spend there).
 */
export function leaseSizeFor(points: number): number {
  return Math.max(1, Math.min(100, Math.ceil(points / 10)));
}

/** This process's share of one client's window: tokens taken from the shared count and not spent yet. */
interface Lease {
  tokens: number;
  /** The shared count is used up for this window: refuse without asking MongoDB until resetAt. */
  exhausted: boolean;
  /** Epoch ms at which the window ends (and this lease with it). */
  resetAt: number;
}

/** Leases kept before expired ones are swept (one per client seen in the current window). */
const SWEEP_ABOVE = 10_000;

/**
 * Counts requests per client key in MongoDB (rate-limiter-flexible's RateLimiterMongo, fixed windows)
 * and refuses those over `points` per `windowSeconds` with RATE_LIMITED. Not one round trip per
 * request: a process takes a lease of leaseSizeFor(points) tokens with one atomic $inc and serves
 * that many requests from memory; the shared count only ever grows by leases, so all processes
 * together never answer more than `points` (see leaseSizeFor for the lower bound). A client over its
 * limit is refused from memory until the window ends. Needs setupRateLimitIndexes(). While MongoDB
 * fails or takes longer than `storeTimeoutMs`, an in-memory limiter with the same points takes the
 * leases instead, with a warning in the log.
 */
export class RateLimiter {
  private readonly limiter: RLWrapperTimeouts;
  private readonly points: number;
  readonly leaseSize: number;
  private readonly leases = new Map<string, Lease>();
  private readonly renewals = new Map<string, Promise<void>>();

  constructor(db: Db, options: Omit<RateLimitOptions, 'db'>) {
    this.points = options.points;
    this.leaseSize = options.leaseSize ?? leaseSizeFor(options.points);
    const window = { points: options.points, duration: options.windowSeconds, keyPrefix: 'graphql' };
    const store = new RateLimiterMongo({
      ...window,
      storeClient: db,
      tableName: RATE_LIMITS_COLLECTION,
      // setupRateLimitIndexes() creates the one index it needs (the store's own wants a TTL index).
      disableIndexesCreation: true,
    });
    // The wrapper, not the store, holds the insurance: it takes over on a store error and on a timeout.
    this.limiter = new RLWrapperTimeouts({
      limiter: store,
      timeoutMs: options.storeTimeoutMs ?? 1000,
      insuranceLimiter: new InsuranceLimiter(window),
    });
  }

  /** Counts one request of `key`; throws RateLimitedError (HTTP 429, Retry-After) when that puts it over its points. */
  async consume(key: string): Promise<void> {
    for (;;) {
      const lease = this.leases.get(key);
      const now = Date.now();
      if (lease && lease.resetAt > now) {
        if (lease.tokens > 0) {
          lease.tokens -= 1;
          return;
        }
        if (lease.exhausted) throw rateLimited(lease.resetAt - now);
      }
      await this.renew(key);
    }
  }

  /** Takes a new lease for `key`; callers that arrive while one is being taken wait for it (one round trip for all). */
  private renew(key: string): Promise<void> {
    let renewal = this.renewals.get(key);
    if (!renewal) {
      renewal = this.takeLease(key).finally(() => this.renewals.delete(key));
      this.renewals.set(key, renewal);
    }
    return renewal;
  }

  private async takeLease(key: string): Promise<void> {
    const size = this.leaseSize;
    let answer: RateLimiterRes;
    let granted: number;
    try {
      answer = await this.limiter.consume(key, size);
      granted = size;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      // The $inc went through: of the tokens it added, only those still within the points are ours.
      answer = rejection;
      granted = Math.max(0, Math.min(size, this.points - (answer.consumedPoints - size)));
    }
    if (this.leases.size > SWEEP_ABOVE) this.sweep();
    this.leases.set(key, { tokens: granted, exhausted: granted < size, resetAt: Date.now() + answer.msBeforeNext });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, lease] of this.leases) if (lease.resetAt <= now) this.leases.delete(key);
  }
}

function rateLimited(msBeforeNext: number): RateLimitedError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new RateLimitedError(`Too many requests: retry after ${retryAfterSeconds} s.`, retryAfterSeconds);
}
