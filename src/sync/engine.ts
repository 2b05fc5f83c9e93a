import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { UpstreamUnavailableError } from '../errors.js';
import { LinkStore, type Link } from '../links/index.js';
import { logger } from '../logger.js';
import { dataflowForCustomerp } from '../mappings/index.js';
import { FEEDS, FeedCursorStore, PENDING_FEED, type Feed, type WriteOwnership } from '../reconcile/index.js';
import type { CrmofficeApi, CustomerpApi, CustomerpType } from '../upstreams/index.js';
import { applyCrmofficeBatch, applyCustomerpBatch } from './apply-batch.js';
import { MassDeleteGuard } from './mass-delete-guard.js';
import { FeedReader, type FeedBatch } from './feed-reader.js';
import { LeaseStore } from './leases.js';
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
  /** Share of one entity's links that one pass may delete before the guard stops it. @default 0.2 */
  massDeleteShare?: number;
  /** Deletes per entity and pass that are always allowed, whatever the share (small tables). @default 2 */
  massDeleteAllowance?: number;
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
 * The two-way sync engine (DESIGN.md, "The pieces" 6). One pass pulls every feed from its persisted
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
      writeOwnership: dependencies.writeOwnership,
      deletes: new MassDeleteGuard({
        share: options.massDeleteShare ?? 0.2,
        allowance: options.massDeleteAllowance ?? 2,
      }),
    };
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

  /** One full pass over every feed, in order, then the retry of pending links; returns what it did per feed. */
  async runOnce(): Promise<SyncSummary> {
    const started = new Date();
    this.context.deletes.startPass();
    const feeds: FeedSummary[] = [];
    for (const feed of this.feeds)
      feeds.push(await this.reader.read(feed, (f, batch, summary) => this.applyBatch(f, batch, summary)));
    feeds.push(await this.retryPending());
    const totals = emptyEntitySummary();
    for (const feed of feeds) addSummaries(totals, feed);
    const summary = { startedAt: started.toISOString(), durationMs: Date.now() - started.getTime(), feeds, totals };
    logger.info(
      { owner: this.owner, totals, blocked: feeds.filter((f) => f.blocked).map((f) => f.feed) },
      'sync pass done',
    );
    return summary;
  }

  /** Gives up every lease this process holds (graceful shutdown), so another process takes over at once. */
  async releaseLeases(): Promise<void> {
    for (const feed of [...this.feeds.map((f) => f.id), PENDING_FEED]) await this.leases.release(feed, this.owner);
  }

  /** The two systems' changes take different paths: only Customerp records get counterparts created. */
  private async applyBatch(feed: Feed, batch: FeedBatch, summary: EntitySummary): Promise<void> {
    switch (feed.system) {
      case 'CUSTOMERP':
        return applyCustomerpBatch(this.context, feed.id, feed.type, batch, summary);
      case 'CRMOFFICE':
        return applyCrmofficeBatch(this.context, feed.id, feed.type, batch, summary);
      default: {
        const unreachable: never = feed;
        throw new Error(`unknown feed ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /**
   * Re-applies Customerp records whose links wait: deferred references, interrupted creates, and
   * ambiguous identity matches (a person may have removed a duplicate in Crmoffice meanwhile).
   */
  private async retryPending(): Promise<FeedSummary> {
    const summary: FeedSummary = { feed: PENDING_FEED, changes: 0, blocked: null, ...emptyEntitySummary() };
    if (!(await this.leases.acquire(PENDING_FEED, this.owner, this.leaseTtlMs))) {
      summary.blocked = 'owned by another sync process';
      return summary;
    }
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
            await applyCustomerpBatch(this.context, PENDING_FEED, feed.type, { upserts: ids, deletes: [] }, summary);
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
            await applyCustomerpBatch(this.context, PENDING_FEED, feed.type, { upserts: ids, deletes: [] }, summary);
          after = page.hasNextPage ? page.endCursor : null;
        } while (after);
      }
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) {
        summary.blocked = error.message;
        return summary;
      }
      throw error;
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
  return links.flatMap((l) => (l.customerp?.type === type && !(halfLinksOnly && l.crmoffice) ? [l.customerp.id] : []));
}
