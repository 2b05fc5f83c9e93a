import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { UpstreamUnavailableError } from '../errors.js';
import { LinkStore, type Link } from '../links/index.js';
import { logger } from '../logger.js';
import { dataflowForCustomerp } from '../mappings/index.js';
import {
  DEFAULT_RESOLVED_CONFLICTS_KEPT,
  FEEDS,
  FeedCursorStore,
  PENDING_FEED,
  type Feed,
  type WriteOwnership,
} from '../reconcile/index.js';
import type { CrmofficeApi, CustomerpApi, CustomerpType } from '../upstreams/index.js';
import { applyCrmofficeBatch, applyCustomerpBatch } from './apply-batch.js';
import { applyIsolated } from './change-isolation.js';
import { fencedApis } from './fenced-apis.js';
import { FeedReader, type FeedBatch } from './feed-reader.js';
import { HeldDeletes } from './held-deletes.js';
import { HeldLease, LeaseLostError, LeaseStore } from './leases.js';
import { DEFAULT_MASS_DELETE_POLICY, MassDeleteGuard, type MassDeletePolicy } from './mass-delete-guard.js';
import { addSummaries, emptyEntitySummary, type EntitySummary, type FeedSummary, type SyncSummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

export interface SyncEngineDependencies {
  db: Db;
  customerp: CustomerpApi;
  crmoffice: CrmofficeApi;
  /** Which records unfinished write-through operations own: sync leaves them to the operation. */
  writeOwnership: WriteOwnership;
}

export interface SyncEngineOptions {
  /** Changes read per feed request. @default 200 */
  batchSize?: number;
  /** When the mass-delete guard holds deletes for an operator. @default DEFAULT_MASS_DELETE_POLICY */
  massDelete?: Partial<MassDeletePolicy>;
  /** Resolved conflicts a link keeps (open ones are always kept). @default DEFAULT_RESOLVED_CONFLICTS_KEPT */
  resolvedConflictsKept?: number;
  /** How long a feed lease lasts without renewal. @default 60000 */
  leaseTtlMs?: number;
  /** This process's name on leases. @default host:pid:random */
  owner?: string;
  /** Feeds in the order a pass pulls them. @default FEEDS */
  feeds?: readonly Feed[];
  /** Called after each applied batch (progress bars). */
  onProgress?: (event: { feed: string; changes: number; done: boolean }) => void;
}

/** Links waiting for a retry are read this many at a time. */
const PENDING_PAGE_SIZE = 500;

/**
 * The two-way sync engine (docs/design.md, "Sync semantics"). One pass pulls every feed from its persisted
 * cursor (FeedReader), applies the changes (apply-batch: deletes, pair sync, match-or-create,
 * Crmoffice-only tracking), and only then advances the cursor, so a crash re-applies instead of
 * skipping; applying is idempotent because every write is the difference between the merged canonical
 * values and what the target already holds (an echo of our own write differs in nothing).
 */
export class SyncEngine {
  readonly links: LinkStore;
  readonly cursors: FeedCursorStore;
  readonly leases: LeaseStore;
  readonly owner: string;
  /** Deletes the mass-delete guard holds, for an operator to approve or discard. */
  readonly heldDeletes: HeldDeletes;
  private readonly context: SyncContext;
  private readonly reader: FeedReader;
  private readonly leaseTtlMs: number;
  private readonly feeds: readonly Feed[];

  constructor(dependencies: SyncEngineDependencies, options: SyncEngineOptions = {}) {
    this.links = new LinkStore(dependencies.db);
    this.cursors = new FeedCursorStore(dependencies.db);
    this.leases = new LeaseStore(dependencies.db);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.feeds = options.feeds ?? FEEDS;
    const apis = { CUSTOMERP: dependencies.customerp, CRMOFFICE: dependencies.crmoffice };
    this.context = {
      links: this.links,
      apis,
      undoApis: apis,
      writeOwnership: dependencies.writeOwnership,
      deletes: new MassDeleteGuard({ ...DEFAULT_MASS_DELETE_POLICY, ...options.massDelete }),
      resolvedConflictsKept: options.resolvedConflictsKept ?? DEFAULT_RESOLVED_CONFLICTS_KEPT,
    };
    this.heldDeletes = new HeldDeletes({ links: this.links, apis });
    this.reader = new FeedReader({
      apis,
      cursors: this.cursors,
      leases: this.leases,
      owner: this.owner,
      leaseTtlMs: this.leaseTtlMs,
      batchSize: options.batchSize ?? 200,
      onProgress: options.onProgress,
    });
  }

  /**
   * One full pass over every feed, in order, then the retry of pending links; returns what it did per
   * feed. A feed that fails is recorded as blocked (on its cursor too) and the pass goes on with the
   * next: one feed's trouble never stops another's.
   */
  async runOnce(): Promise<SyncSummary> {
    const started = new Date();
    const feeds: FeedSummary[] = [];
    for (const feed of this.feeds) feeds.push(await this.readIsolated(feed));
    feeds.push(
      await this.retryPending().catch((error: unknown) => {
        logger.error({ err: error }, 'retry of pending links failed; the next pass retries');
        return failedFeed(PENDING_FEED, error);
      }),
    );
    const totals = emptyEntitySummary();
    for (const feed of feeds) addSummaries(totals, feed);
    const summary = { startedAt: started.toISOString(), durationMs: Date.now() - started.getTime(), feeds, totals };
    // A pass that found no change logs at debug: an idle worker stays quiet.
    const idle = feeds.every((f) => f.feed === PENDING_FEED || (f.changes === 0 && f.blocked === null));
    logger[idle ? 'debug' : 'info'](
      { owner: this.owner, totals, blocked: feeds.filter((f) => f.blocked).map((f) => f.feed) },
      'sync pass done',
    );
    return summary;
  }

  /** Gives up every lease this process holds (graceful shutdown), so another process takes over at once. */
  async releaseLeases(): Promise<void> {
    for (const feed of [...this.feeds.map((f) => f.id), PENDING_FEED]) await this.leases.release(feed, this.owner);
  }

  /** Reads `feed`; an error the reader does not handle itself blocks this feed only. */
  private async readIsolated(feed: Feed): Promise<FeedSummary> {
    try {
      return await this.reader.read(feed, (f, batch, summary, lease) => this.applyBatch(f, batch, summary, lease));
    } catch (error) {
      logger.error({ feed: feed.id, err: error }, 'sync feed failed; the pass goes on with the next feed');
      const failed = failedFeed(feed.id, error);
      await this.cursors
        .block({ _id: feed.id, system: feed.system, entity: feed.type }, failed.blocked!, new Date())
        .catch((cause: unknown) => logger.warn({ err: cause }, 'could not record the feed failure'));
      return failed;
    }
  }

  /**
   * The two systems' changes take different paths: only Customerp records get counterparts created.
   * Failures stay with the change that causes them (applyIsolated); writes ask the feed's lease first.
   */
  private async applyBatch(feed: Feed, batch: FeedBatch, summary: EntitySummary, lease: HeldLease): Promise<void> {
    const ctx = { ...this.context, apis: fencedApis(this.context.apis, lease) };
    return applyIsolated(ctx, feed, batch, summary, (part, counts) => {
      switch (feed.system) {
        case 'CUSTOMERP':
          return applyCustomerpBatch(ctx, feed.id, feed.type, part, counts);
        case 'CRMOFFICE':
          return applyCrmofficeBatch(ctx, feed.id, feed.type, part, counts);
        default: {
          const unreachable: never = feed;
          throw new Error(`unknown feed ${JSON.stringify(unreachable)}`);
        }
      }
    });
  }

  /**
   * Re-applies Customerp records whose links wait: deferred references, interrupted creates, and
   * ambiguous identity matches (a person may have removed a duplicate in Crmoffice meanwhile).
   */
  private async retryPending(): Promise<FeedSummary> {
    const summary: FeedSummary = { feed: PENDING_FEED, changes: 0, blocked: null, ...emptyEntitySummary() };
    const acquiredAt = new Date();
    if (!(await this.leases.acquire(PENDING_FEED, this.owner, this.leaseTtlMs, acquiredAt))) {
      summary.blocked = 'owned by another sync process';
      return summary;
    }
    const lease = new HeldLease(this.leases, PENDING_FEED, this.owner, this.leaseTtlMs, acquiredAt);
    const ctx = { ...this.context, apis: fencedApis(this.context.apis, lease) };
    try {
      // Only Customerp records wait on a link of their own (Crmoffice-only records are tracked at once).
      for (const feed of FEEDS) {
        if (feed.system !== 'CUSTOMERP') continue;
        const entity = dataflowForCustomerp(feed.type).unifiedType;
        let after: string | null = null;
        do {
          const page = await this.links.findPage({
            entity,
            filter: { state: 'PENDING' },
            first: PENDING_PAGE_SIZE,
            after,
          });
          const ids = waitingCustomerpIds(page.links, feed.type, { halfLinksOnly: false });
          summary.changes += ids.length;
          if (ids.length > 0)
            await applyIsolated(ctx, feed, { upserts: ids, deletes: [] }, summary, (part, counts) =>
              applyCustomerpBatch(ctx, PENDING_FEED, feed.type, part, counts),
            );
          after = page.hasNextPage ? page.endCursor : null;
        } while (after);
        do {
          const page = await this.links.findPage({
            entity,
            filter: { state: 'CONFLICT' },
            first: PENDING_PAGE_SIZE,
            after,
          });
          const ids = waitingCustomerpIds(page.links, feed.type, { halfLinksOnly: true });
          if (ids.length > 0)
            await applyIsolated(ctx, feed, { upserts: ids, deletes: [] }, summary, (part, counts) =>
              applyCustomerpBatch(ctx, PENDING_FEED, feed.type, part, counts),
            );
          after = page.hasNextPage ? page.endCursor : null;
        } while (after);
      }
    } catch (error) {
      if (error instanceof UpstreamUnavailableError || error instanceof LeaseLostError) {
        summary.blocked = error.message;
        return summary;
      }
      throw error;
    } finally {
      lease.stop();
    }
    return summary;
  }
}

/**
 * The Customerp record ids of `type` on `links`, in order; with `halfLinksOnly`, only of links with no
 * Crmoffice side (an ambiguous match waits that way; a pair in CONFLICT waits for a person instead).
 */
export function waitingCustomerpIds(
  links: readonly Link[],
  type: CustomerpType,
  { halfLinksOnly }: { halfLinksOnly: boolean },
): string[] {
  // A link whose delete is held waits for an operator, not for a retry.
  return links.flatMap((l) =>
    l.customerp?.type === type && !l.heldDelete && !(halfLinksOnly && l.crmoffice) ? [l.customerp.id] : [],
  );
}

/** The summary of a feed that failed as a whole: nothing counted, the error as its blocked reason. */
function failedFeed(feed: string, error: unknown): FeedSummary {
  const blocked = error instanceof Error ? error.message : String(error);
  return { feed, changes: 0, blocked, ...emptyEntitySummary() };
}
