import { UpstreamUnavailableError } from '../errors.js';
import { logger } from '../logger.js';
import type { Feed, FeedCursorStore } from '../reconcile/index.js';
import { apiOf, type FeedChange, type SystemApis } from '../upstreams/index.js';
import { HeldLease, LeaseLostError, type LeaseStore } from './leases.js';
import { emptyEntitySummary, type EntitySummary, type FeedSummary } from './summary.js';

/** One page of a feed, reduced to what to apply: records to read and upsert, records deleted. */
export interface FeedBatch {
  upserts: string[];
  deletes: string[];
}

/** Applies one batch of `feed` and counts what it did into `summary`; every write asks `lease` first. */
export type ApplyBatch = (feed: Feed, batch: FeedBatch, summary: EntitySummary, lease: HeldLease) => Promise<void>;

/** The newest change per record in a feed page (a record edited twice needs one apply), in the order of each record's newest change. */
export function latestPerRecord(items: readonly FeedChange[]): FeedChange[] {
  const latest = new Map<string, FeedChange>();
  for (const item of items) {
    latest.delete(item.id);
    latest.set(item.id, item);
  }
  return [...latest.values()];
}

/** The ids to upsert and to delete among `latest` (latestPerRecord's answer), each in its order. */
export function batchOf(latest: readonly FeedChange[]): FeedBatch {
  return {
    upserts: latest.filter((c) => c.op === 'UPSERT').map((c) => c.id),
    deletes: latest.filter((c) => c.op === 'DELETE').map((c) => c.id),
  };
}

/**
 * The time a page's changes count their lag from (docs/decisions.md, "Lag"): the newest change's
 * time, or `watchingSince` (our previous look at the feed) if later; null for an empty page.
 */
export function lastChangeAtOf(items: readonly FeedChange[], watchingSince: Date): Date | null {
  if (items.length === 0) return null;
  const newest = Math.max(...items.map((c) => Date.parse(c.at)));
  return new Date(Math.max(newest, watchingSince.getTime()));
}

export interface FeedReaderOptions {
  apis: SystemApis;
  cursors: FeedCursorStore;
  leases: LeaseStore;
  /** This process's name on leases. */
  owner: string;
  leaseTtlMs: number;
  /** Changes read per feed request. */
  batchSize: number;
  /** Called after each applied batch (progress bars). */
  onProgress?: ((event: { feed: string; changes: number; done: boolean }) => void) | undefined;
}

/**
 * Reads feeds page by page under their lease: each page is applied, and only then is the cursor
 * advanced (with the applied count and the lag), so a crash re-applies instead of skipping.
 */
export class FeedReader {
  constructor(private readonly options: FeedReaderOptions) {}

  /**
   * Reads `feed` from its cursor to its end, handing each page to `apply` under the feed's lease
   * (renewed while the page works). Stops early, and says why in `blocked`, when another process holds
   * the lease or takes it mid-feed (the page in hand is left to it, cursor unmoved), or when a system
   * is unavailable (also recorded on the cursor).
   */
  async read(feed: Feed, apply: ApplyBatch): Promise<FeedSummary> {
    const { apis, cursors, leases, owner, leaseTtlMs, batchSize, onProgress } = this.options;
    const summary: FeedSummary = { feed: feed.id, changes: 0, blocked: null, ...emptyEntitySummary() };
    const acquiredAt = new Date();
    if (!(await leases.acquire(feed.id, owner, leaseTtlMs, acquiredAt))) {
      summary.blocked = 'owned by another sync process';
      return summary;
    }
    const lease = new HeldLease(leases, feed.id, owner, leaseTtlMs, acquiredAt);
    const where = { _id: feed.id, system: feed.system, entity: feed.type };
    try {
      const stored = await cursors.get(feed.id);
      let cursor = stored?.cursor ?? null;
      // Lag counts from when we could first have seen a change: a backlog older than our previous look
      // (or, on the first run, than this pass) is history we are catching up on, not delay we caused.
      const watchingSince = stored?.lastRunAt ?? new Date();
      for (;;) {
        const page = await apiOf(apis, feed.system).changes(feed.type, cursor, batchSize);
        summary.changes += page.items.length;
        const latest = latestPerRecord(page.items);
        await apply(feed, batchOf(latest), summary, lease);
        lease.assertHeld(); // the cursor moves only under the lease, too
        await cursors.advance(where, {
          cursor: page.cursor,
          applied: latest.length,
          lastChangeAt: lastChangeAtOf(page.items, watchingSince),
          now: new Date(),
        });
        onProgress?.({ feed: feed.id, changes: summary.changes, done: !page.hasMore });
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
    } catch (error) {
      // Whatever failed, a process whose lease is gone reports that and records nothing: the feed's
      // cursor is the new holder's now.
      if (error instanceof LeaseLostError || !lease.held) {
        summary.blocked = 'lease lost to another sync process';
        logger.warn(
          { feed: feed.id, owner },
          'sync lease lost mid-feed; stopped writing, the new holder applies the page',
        );
        return summary;
      }
      if (error instanceof UpstreamUnavailableError) {
        summary.blocked = error.message;
        await cursors.block(where, error.message, new Date());
        logger.warn(
          { feed: feed.id, reason: error.message },
          'sync feed stopped; it resumes from its cursor next pass',
        );
        return summary;
      }
      throw error;
    } finally {
      lease.stop();
    }
    return summary;
  }
}
