import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../errors.js';
import { DuplicateLinkError, isLiveLink, LinkStore, SideTakenError, StaleLinkVersionError, type Conflict, type Link } from '../links/index.js';
import { logger } from '../logger.js';
import {
  dataflowForCrmoffice,
  dataflowForCustomerp,
  propertyOf,
  recordIdentityKey,
  toCanonical,
  toCreateInput,
  unifiedTypeOfCollection,
  type CrmofficeRecord,
  type CustomerpRecord,
  type Dataflow,
} from '../mappings/index.js';
import {
  FEEDS,
  FeedCursorStore,
  linkKeysOf,
  pairRecords,
  PENDING_FEED,
  ReferenceIndex,
  threeWayMerge,
  type Feed,
  type WriteOwnership,
} from '../reconcile/index.js';
import type { CrmofficeApi, CrmofficeType, CustomerpApi, CustomerpType, SystemApis } from '../upstreams/index.js';
import { trackCrmofficeOnly } from './crmoffice-only.js';
import { applyDeletes, MassDeleteGuard } from './deletes.js';
import { FeedReader, type FeedBatch } from './feed-reader.js';
import { LeaseStore } from './leases.js';
import { markLinkError, saveLink } from './link-writes.js';
import { countPairOutcome, isPresent, syncLinkedPairs, syncPair } from './pair-sync.js';
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

type PairOutcome = 'updated' | 'unchanged' | 'error' | 'gone';

/**
 * The two-way sync engine (DESIGN.md, "The pieces" 6). One pass pulls every feed from its persisted
 * cursor, applies the changes, and only then advances the cursor, so a crash re-applies instead of
 * skipping; applying is idempotent because every write is the difference between the merged canonical
 * values and what the target already holds (an echo of our own write differs in nothing).
 */
export class SyncEngine {
  readonly links: LinkStore;
  readonly cursors: FeedCursorStore;
  readonly leases: LeaseStore;
  private readonly writeOwnership: WriteOwnership;
  private readonly apis: SystemApis;
  private readonly customerp: CustomerpApi;
  private readonly crmoffice: CrmofficeApi;
  private readonly context: SyncContext;
  private readonly reader: FeedReader;
  private readonly leaseTtlMs: number;
  readonly owner: string;
  private readonly feeds: readonly Feed[];

  constructor(dependencies: SyncEngineDependencies, options: SyncEngineOptions = {}) {
    this.links = new LinkStore(dependencies.db);
    this.cursors = new FeedCursorStore(dependencies.db);
    this.leases = new LeaseStore(dependencies.db);
    this.writeOwnership = dependencies.writeOwnership;
    this.apis = { CUSTOMERP: dependencies.customerp, CRMOFFICE: dependencies.crmoffice };
    this.customerp = dependencies.customerp;
    this.crmoffice = dependencies.crmoffice;
    this.context = {
      links: this.links,
      apis: this.apis,
      writeOwnership: this.writeOwnership,
      deletes: new MassDeleteGuard({ share: options.massDeleteShare ?? 0.2, allowance: options.massDeleteAllowance ?? 2 }),
    };
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.feeds = options.feeds ?? FEEDS;
    this.reader = new FeedReader({
      apis: this.apis,
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
    for (const feed of this.feeds) feeds.push(await this.reader.read(feed, (f, batch, summary) => this.applyBatch(f, batch, summary)));
    feeds.push(await this.retryPending());
    const totals = emptyEntitySummary();
    for (const feed of feeds) addSummaries(totals, feed);
    const summary = { startedAt: started.toISOString(), durationMs: Date.now() - started.getTime(), feeds, totals };
    logger.info({ owner: this.owner, totals, blocked: feeds.filter((f) => f.blocked).map((f) => f.feed) }, 'sync pass done');
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
        return this.applyCustomerp(feed.id, feed.type, batch.upserts, batch.deletes, summary);
      case 'CRMOFFICE':
        return this.applyCrmoffice(feed.id, feed.type, batch.upserts, batch.deletes, summary);
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
      for (const feed of FEEDS) {
        if (feed.system !== 'CUSTOMERP') continue;
        const entity = dataflowForCustomerp(feed.type).unifiedType;
        let after: string | null = null;
        do {
          const page = await this.links.findPage({ entity, filter: { state: 'PENDING' }, first: 500, after });
          const ids = page.links.filter((l) => l.customerp?.type === feed.type).map((l) => (l.customerp as { id: string }).id);
          summary.changes += ids.length;
          if (ids.length > 0) await this.applyCustomerp(PENDING_FEED, feed.type, ids, [], summary);
          after = page.hasNextPage ? page.endCursor : null;
        } while (after);
        do {
          const page = await this.links.findPage({ entity, filter: { state: 'CONFLICT' }, first: 500, after });
          const ids = page.links.filter((l) => l.customerp?.type === feed.type && !l.crmoffice).map((l) => (l.customerp as { id: string }).id);
          if (ids.length > 0) await this.applyCustomerp(PENDING_FEED, feed.type, ids, [], summary);
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

  // ---- Customerp changes -------------------------------------------------------------------------

  private async applyCustomerp(feedId: string, type: CustomerpType, upsertIds: string[], deleteIds: string[], summary: EntitySummary): Promise<void> {
    const flow = dataflowForCustomerp(type);
    const refs = new ReferenceIndex(this.links);
    await refs.loadRefs('CUSTOMERP', type, [...upsertIds, ...deleteIds]);
    await applyDeletes(this.context, feedId, 'CUSTOMERP', type, flow.unifiedType, deleteIds, refs, summary);
    const records = (await this.customerp.getMany(type, upsertIds)).filter(isPresent);
    if (records.length === 0) return;
    await refs.loadReferencesOf(flow, 'CUSTOMERP', records);

    const pairs: { link: Link; record: CustomerpRecord }[] = [];
    const unlinked: CustomerpRecord[] = [];
    for (const record of records) {
      const link = refs.linkOf('CUSTOMERP', type, record.id);
      if (link?.deletedAt) continue; // its counterpart was deleted; the delete wins
      if (link?.detached && !link.crmoffice) continue; // unlinked by a person: stays unpaired
      if (link?.crmoffice) pairs.push({ link, record });
      else unlinked.push(record);
    }
    if (pairs.length > 0) await syncLinkedPairs(this.context, flow, 'CUSTOMERP', pairs, refs, summary);
    if (unlinked.length > 0) await this.matchOrCreate(flow, type, unlinked, refs, summary);
  }

  /**
   * Customerp records without a counterpart: matched to an unlinked Crmoffice record by identity key,
   * or created there. Two candidates are not guessed: the link records a conflict for a person.
   */
  private async matchOrCreate(flow: Dataflow, type: CustomerpType, records: CustomerpRecord[], refs: ReferenceIndex, summary: EntitySummary): Promise<void> {
    const crmType = flow.crmoffice.type as CrmofficeType;
    const identityField = propertyOf(flow, flow.identity[0] as string)?.customerp;
    const lookups = identityField
      ? records.map((r) => (r as unknown as Record<string, unknown>)[identityField]).filter((v): v is string => typeof v === 'string' && v !== '')
      : [];
    const found = lookups.length > 0 ? await this.crmoffice.findByIdentity(crmType, [...new Set(lookups)]) : [];
    await refs.loadRefs('CRMOFFICE', crmType, found.map((c) => c.id));
    await refs.loadReferencesOf(flow, 'CRMOFFICE', found);
    const byIdentity = new Map<string, CrmofficeRecord[]>();
    for (const candidate of found) {
      const key = recordIdentityKey(flow, 'CRMOFFICE', candidate);
      const candidateFlow = dataflowForCrmoffice(crmType, candidate);
      if (!key || (candidateFlow !== null && candidateFlow !== flow)) continue;
      byIdentity.set(key, [...(byIdentity.get(key) ?? []), candidate]);
    }

    // A record that a mutation is still creating (or completing) belongs to its operation: a counterpart
    // made here too would race the operation into a duplicate. Asked after the records were read.
    const busy = await this.writeOwnership.ownedRecords('CUSTOMERP', type, records.map((record) => ({ record, linkId: refs.linkOf('CUSTOMERP', type, record.id)?._id ?? null })));

    for (const record of records) {
      const ref = { type, id: record.id };
      let link = refs.linkOf('CUSTOMERP', type, record.id);
      // Paired since this batch was sorted (a mutation finished it; the candidates' lookup loaded it
      // fresh): nothing to match or create, the next change brings the pair.
      if (link?.crmoffice) continue;
      if (busy.has(record.id)) {
        summary.deferred += 1;
        continue;
      }
      const identity = recordIdentityKey(flow, 'CUSTOMERP', record);
      const candidates = (identity ? byIdentity.get(identity) ?? [] : []).filter((c) => {
        const holder = refs.linkOf('CRMOFFICE', crmType, c.id);
        return !holder || (!holder.customerp && isLiveLink(holder));
      });
      try {
        if (candidates.length > 1) {
          summary.conflicts += await this.recordAmbiguousMatch(flow, record, link, identity, candidates, refs);
          continue;
        }
        const candidate = candidates[0];
        if (candidate) {
          link = await this.linkExisting(flow, ref, link, candidate, refs);
          summary.linked += 1;
          countPairOutcome(summary, await syncPair(this.context, flow, link, { CUSTOMERP: record, CRMOFFICE: candidate }, refs, summary));
          continue;
        }
        // No counterpart: create one. If the process dies between the create and the link, the next
        // pass finds the created record by its identity key and links it instead of creating another.
        const canonical = toCanonical(flow, 'CUSTOMERP', record, refs);
        const create = toCreateInput(flow, 'CRMOFFICE', canonical.values, refs);
        if (canonical.deferred.length > 0 || create.deferred.length > 0) {
          link ??= (await this.links.ensureLink(flow.unifiedType, 'CUSTOMERP', ref, { kind: flow.contactKind ?? null, state: 'PENDING' }, { lookFirst: false })).link;
          await saveLink(this.links, link, { state: 'PENDING', keys: linkKeysOf(flow, canonical.values, null, refs) }, refs);
          summary.deferred += 1;
          continue;
        }
        const created = await this.crmoffice.create(crmType, create.input);
        const crmRef = { type: crmType, id: created.id };
        const { merged } = threeWayMerge({
          base: null,
          customerp: canonical.values,
          crmoffice: toCanonical(flow, 'CRMOFFICE', created, refs).values,
          customerpModifiedAt: this.customerp.modifiedAtOf(record),
          crmofficeModifiedAt: this.crmoffice.modifiedAtOf(created),
        });
        const state = { snapshot: merged, keys: linkKeysOf(flow, merged, created, refs), state: 'IN_SYNC' as const, lastSyncedAt: new Date() };
        let attached: Link;
        try {
          attached = link
            ? await this.links.attachSide(link._id, link.version, 'CRMOFFICE', crmRef)
            : // One write for the common case: the link is born complete.
              await this.links.create({ entity: flow.unifiedType, kind: flow.contactKind ?? null, customerp: ref, crmoffice: crmRef, ...state });
        } catch (error) {
          if (!(error instanceof DuplicateLinkError || error instanceof StaleLinkVersionError || error instanceof SideTakenError)) throw error;
          // Another writer (a sync process, a mutation) linked the record meanwhile: our counterpart is
          // a duplicate, and the writer that loses a link race removes what it created.
          await this.crmoffice.remove(crmType, created.id, null);
          logger.debug({ type, id: record.id, reason: error.message, removed: created.id }, 'link raced; duplicate counterpart removed');
          continue;
        }
        summary.created += 1;
        if (link) await saveLink(this.links, attached, state, refs);
        else refs.remember(attached);
      } catch (error) {
        if (error instanceof UpstreamRejectedError) {
          summary.errors += 1;
          if (link) await markLinkError(this.links, link, error);
          continue;
        }
        if (error instanceof DuplicateLinkError || error instanceof StaleLinkVersionError || error instanceof SideTakenError) {
          // Another writer linked it meanwhile; the next pass sees its result.
          logger.debug({ type, id: record.id, reason: error.message }, 'link raced; left to the next pass');
          continue;
        }
        throw error;
      }
    }
  }

  /** Links a Customerp record to a Crmoffice candidate, reusing whichever half links exist (pairRecords). */
  private async linkExisting(flow: Dataflow, ref: { type: CustomerpType; id: string }, own: Link | null, candidate: CrmofficeRecord, refs: ReferenceIndex): Promise<Link> {
    const crmRef = { type: flow.crmoffice.type as CrmofficeType, id: candidate.id };
    let link = await pairRecords(this.links, { flow, customerp: { ref, link: own }, crmoffice: { ref: crmRef, link: refs.linkOf('CRMOFFICE', crmRef.type, candidate.id) } });
    // A match that was ambiguous before (a duplicate has since gone) is settled now.
    const settled = link.conflicts.map((c) => (c.field === 'identity' && !c.resolvedAt ? { ...c, resolvedAt: new Date() } : c));
    const kind = flow.contactKind ?? null;
    if (link.kind !== kind || settled.some((c, i) => c !== link.conflicts[i])) {
      link = await this.links.update(link._id, link.version, { kind, conflicts: settled });
    }
    refs.remember(link);
    return link;
  }

  private async recordAmbiguousMatch(
    flow: Dataflow,
    record: CustomerpRecord,
    link: Link | null,
    identity: string | null,
    candidates: CrmofficeRecord[],
    refs: ReferenceIndex,
  ): Promise<number> {
    const ref = { type: flow.customerp.type as CustomerpType, id: record.id };
    const keys = linkKeysOf(flow, toCanonical(flow, 'CUSTOMERP', record, refs).values, null, refs);
    const own = link ?? (await this.links.ensureLink(flow.unifiedType, 'CUSTOMERP', ref, { kind: flow.contactKind ?? null, state: 'CONFLICT', keys }, { lookFirst: false })).link;
    const ids = candidates.map((c) => c.id).sort();
    const known = own.conflicts.some((c) => c.field === 'identity' && !c.resolvedAt && JSON.stringify(c.crmofficeValue) === JSON.stringify(ids));
    if (known && own.state === 'CONFLICT') return 0;
    const conflict: Conflict = { id: randomUUID(), field: 'identity', customerpValue: identity, crmofficeValue: ids, kept: null, detectedAt: new Date(), resolvedAt: null };
    const conflicts = known ? own.conflicts : [...own.conflicts, conflict];
    refs.remember(await this.links.update(own._id, own.version, { state: 'CONFLICT', conflicts, keys }));
    logger.warn({ type: ref.type, id: ref.id, candidates: ids.length }, 'ambiguous identity match recorded as a conflict');
    return known ? 0 : 1;
  }

  // ---- Crmoffice changes -------------------------------------------------------------------------

  private async applyCrmoffice(feedId: string, type: CrmofficeType, upsertIds: string[], deleteIds: string[], summary: EntitySummary): Promise<void> {
    const refs = new ReferenceIndex(this.links);
    await refs.loadRefs('CRMOFFICE', type, [...upsertIds, ...deleteIds]);
    await applyDeletes(this.context, feedId, 'CRMOFFICE', type, unifiedTypeOfCollection[type], deleteIds, refs, summary);
    const records = (await this.crmoffice.getMany(type, upsertIds)).filter(isPresent);
    if (records.length === 0) return;

    const pairsByType = new Map<CustomerpType, { link: Link; record: CrmofficeRecord }[]>();
    const alone: CrmofficeRecord[] = [];
    for (const record of records) {
      const link = refs.linkOf('CRMOFFICE', type, record.id);
      if (link?.deletedAt) continue;
      if (link?.customerp) {
        const cpType = link.customerp.type as CustomerpType;
        pairsByType.set(cpType, [...(pairsByType.get(cpType) ?? []), { link, record }]);
      } else alone.push(record);
    }
    for (const [cpType, pairs] of pairsByType) await syncLinkedPairs(this.context, dataflowForCustomerp(cpType), 'CRMOFFICE', pairs, refs, summary);
    if (alone.length > 0) await trackCrmofficeOnly(this.context, type, alone, refs, summary);
  }
}
