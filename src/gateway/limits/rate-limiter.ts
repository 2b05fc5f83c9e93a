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
        { requests: this.counted },
        "rate limit store (MongoDB) failed or timed out: counting requests in this process's memory until it answers again",
      );
      this.warnedAt = now;
      this.counted = 0;
    }
    return super.consume(key, pointsToConsume, options);
  }
}

/**
 * Counts requests per client key in MongoDB (rate-limiter-flexible's RateLimiterMongo, fixed
 * windows) and refuses those over `points` per `windowSeconds` with RATE_LIMITED. Needs
 * setupRateLimitIndexes(). While MongoDB fails or takes longer than `storeTimeoutMs`, an in-memory
 * limiter with the same points counts instead, with a warning in the log.
 */
export class RateLimiter {
  private readonly limiter: RLWrapperTimeouts;

  constructor(db: Db, options: Omit<RateLimitOptions, 'db'>) {
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
    try {
      await this.limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new RateLimitedError(`Too many requests: retry after ${retryAfterSeconds} s.`, retryAfterSeconds);
    }
  }
}
