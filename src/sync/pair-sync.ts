import { randomUUID } from 'node:crypto';
import { UpstreamRejectedError, type SystemName } from '../errors.js';
import {
  sideFieldOf,
  StaleLinkVersionError,
  type Conflict,
  type Link,
  type LinkChanges,
  type LinkState,
} from '../links/index.js';
import {
  diffForUpdate,
  referencedLinkIds,
  toCanonical,
  type Dataflow,
  type SystemInput,
  type SystemRecord,
} from '../mappings/index.js';
import { linkKeysOf, threeWayMerge, waitingReason, withConflicts, type ReferenceIndex } from '../reconcile/index.js';
import { apiOf, otherSystem, SYSTEMS } from '../upstreams/index.js';
import { markLinkError, saveLink } from './link-writes.js';
import type { EntitySummary } from './summary.js';
import { bySystem, type BySystem, type SyncContext } from './sync-context.js';

/** What syncing one pair came to; 'gone' = a side vanished meanwhile (its feed brings the DELETE). */
export type PairOutcome = 'updated' | 'unchanged' | 'error' | 'gone';

/** A record of a batch and the link that pairs it with a record of the other system. */
export interface LinkedRecord {
  link: Link;
  record: SystemRecord;
}

/** Adds one pair's outcome to `summary` ('gone' counts nowhere). */
export function countPairOutcome(summary: EntitySummary, outcome: PairOutcome): void {
  if (outcome === 'updated') summary.updated += 1;
  else if (outcome === 'unchanged') summary.unchanged += 1;
  else if (outcome === 'error') summary.errors += 1;
}

/**
 * A pair's link state after a sync: PENDING while a reference waits for its target's link, else
 * CONFLICT while any conflict is open (unresolved), else IN_SYNC.
 */
export function linkStateAfterSync(deferred: number, conflicts: readonly Conflict[]): LinkState {
  if (deferred > 0) return 'PENDING';
  return conflicts.some((c) => !c.resolvedAt) ? 'CONFLICT' : 'IN_SYNC';
}

/** How many sync attempts one pair gets when a record or its link is moved under it. */
const ATTEMPTS = 3;

/**
 * Where syncPair puts what it settled: by default the stored link, updated version-checked; a
 * caller whose link is still a draft (to be inserted with the page's others) passes its own.
 */
export interface PairLinkWriter {
  /** Saves the pair's snapshot, keys, state and conflicts. A stale version propagates (syncPair redoes the pair). */
  save(link: Link, changes: LinkChanges): Promise<void>;
  /** Records that a system refused the pair's write for good. */
  markError(link: Link, error: UpstreamRejectedError): Promise<void>;
}

/** The default PairLinkWriter: the link store. */
function storedLinkWriter(ctx: SyncContext, refs: ReferenceIndex): PairLinkWriter {
  return {
    save: async (link, changes) => void (await saveLink(ctx.links, link, changes, refs)),
    markError: (link, error) => markLinkError(ctx.links, link, error),
  };
}

/**
 * Brings one linked pair into agreement: both sides' canonical values, merged three-way against the
 * snapshot, written where they differ with the side's concurrency token (a stale token refetches and
 * merges again), then the snapshot and keys saved. Writes nothing for an echo.
 */
export async function syncPair(
  ctx: SyncContext,
  flow: Dataflow,
  link: Link,
  records: BySystem<SystemRecord>,
  refs: ReferenceIndex,
  summary: EntitySummary,
  options: { attempt?: number; writer?: PairLinkWriter } = {},
): Promise<PairOutcome> {
  const attempt = options.attempt ?? 1;
  const writer = options.writer ?? storedLinkWriter(ctx, refs);
  const types = bySystem((system) => flow[sideFieldOf(system)].type);
  const current = { ...records };
  const canonical = bySystem((system) => toCanonical(flow, system, current[system], refs));
  const merge = threeWayMerge({
    base: link.snapshot,
    customerp: canonical.CUSTOMERP.values,
    crmoffice: canonical.CRMOFFICE.values,
    customerpModifiedAt: ctx.apis.CUSTOMERP.modifiedAtOf(current.CUSTOMERP),
    crmofficeModifiedAt: ctx.apis.CRMOFFICE.modifiedAtOf(current.CRMOFFICE),
  });
  await refs.loadIds(referencedLinkIds(flow, [merge.merged]));
  const diffs = bySystem((system) => diffForUpdate(flow, system, merge.merged, current[system], refs));
  let wrote = false;
  try {
    for (const system of SYSTEMS) {
      if (!hasFields(diffs[system].input)) continue;
      const api = apiOf(ctx.apis, system);
      current[system] = await api.update(
        types[system],
        current[system].id,
        diffs[system].input,
        api.tokenOf(current[system]),
      );
      wrote = true;
    }
  } catch (error) {
    if (error instanceof UpstreamRejectedError && error.isConcurrencyConflict && attempt < ATTEMPTS) {
      // Edited meanwhile: merge again with the newer values rather than overwrite them.
      const fresh: Partial<BySystem<SystemRecord>> = {};
      for (const system of SYSTEMS) {
        const [record] = await apiOf(ctx.apis, system).getMany(types[system], [current[system].id]);
        if (record) fresh[system] = record;
      }
      if (!fresh.CUSTOMERP || !fresh.CRMOFFICE) return 'gone';
      return syncPair(ctx, flow, link, { CUSTOMERP: fresh.CUSTOMERP, CRMOFFICE: fresh.CRMOFFICE }, refs, summary, {
        attempt: attempt + 1,
        writer,
      });
    }
    if (error instanceof UpstreamRejectedError) {
      await writer.markError(link, error);
      return 'error';
    }
    throw error;
  }

  const waitingFor = SYSTEMS.flatMap((system) => [...canonical[system].deferred, ...diffs[system].deferred]);
  const deferred = waitingFor.length;
  const now = new Date();
  const newConflicts: Conflict[] = merge.conflicts.map((c) => ({
    id: randomUUID(),
    ...c,
    detectedAt: now,
    resolvedAt: null,
  }));
  const conflicts = withConflicts(link.conflicts, newConflicts, ctx.resolvedConflictsKept);
  const state = linkStateAfterSync(deferred, conflicts);
  const changes: LinkChanges = {
    snapshot: merge.merged,
    keys: linkKeysOf(flow, merge.merged, current.CRMOFFICE, refs, link.keys),
    state,
    ...(state === 'PENDING' && { reason: waitingReason(waitingFor) }),
    conflicts,
  };
  summary.conflicts += newConflicts.length;
  if (deferred > 0) summary.deferred += 1;
  try {
    await writer.save(link, changes);
  } catch (error) {
    if (error instanceof StaleLinkVersionError && attempt < ATTEMPTS) {
      // Another process moved the link (and maybe its snapshot): redo the pair from fresh state.
      const fresh = await ctx.links.findById(link._id);
      if (!fresh || fresh.deletedAt) return 'gone';
      refs.remember(fresh);
      return syncPair(ctx, flow, fresh, current, refs, summary, { attempt: attempt + 1, writer });
    }
    throw error;
  }
  return wrote ? 'updated' : 'unchanged';
}

/**
 * Syncs `pairs` (records of `system`, all of `flow`, each with its link): reads their counterparts
 * in one request, loads both sides' references, and counts each pair's outcome into `summary`.
 */
export async function syncLinkedPairs(
  ctx: SyncContext,
  flow: Dataflow,
  system: SystemName,
  pairs: readonly LinkedRecord[],
  refs: ReferenceIndex,
  summary: EntitySummary,
): Promise<void> {
  const other = otherSystem(system);
  const side = sideFieldOf(other);
  const counterparts = await apiOf(ctx.apis, other).getMany(
    flow[side].type,
    pairs.map((p) => (p.link[side] as { id: string }).id),
  );
  await refs.loadReferencesOf(
    flow,
    system,
    pairs.map((p) => p.record),
  );
  await refs.loadReferencesOf(flow, other, counterparts.filter(isPresent));
  for (const [i, { link, record }] of pairs.entries()) {
    const counterpart = counterparts[i];
    if (!counterpart) continue; // deleted there: its feed brings the DELETE
    const records = bySystem((s) => (s === system ? record : counterpart));
    countPairOutcome(summary, await syncPair(ctx, flow, link, records, refs, summary));
  }
}

function hasFields(input: SystemInput): boolean {
  return Object.keys(input).length > 0;
}

/** Whether a bulk read's entry is a record (null: unknown id). */
export function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
