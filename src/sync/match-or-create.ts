import { randomUUID } from 'node:crypto';
import { UpstreamRejectedError } from '../errors.js';
import {
  DuplicateLinkError,
  isLiveLink,
  SideTakenError,
  StaleLinkVersionError,
  type Conflict,
  type CrmofficeRef,
  type CustomerpRef,
  type Link,
  type NewLink,
} from '../links/index.js';
import { logger } from '../logger.js';
import {
  IDENTITY_CONFLICT_FIELD,
  dataflowForCrmoffice,
  propertyOf,
  recordIdentityKey,
  toCanonical,
  toCreateInput,
  type CrmofficeRecord,
  type CustomerpRecord,
  type Dataflow,
} from '../mappings/index.js';
import {
  linkKeysOf,
  pairRecords,
  threeWayMerge,
  waitingReason,
  withConflicts,
  type ReferenceIndex,
} from '../reconcile/index.js';
import type { CrmofficeType, CustomerpType } from '../upstreams/index.js';
import { logRefusal, markLinkError, saveLink } from './link-writes.js';
import { countPairOutcome, syncPair, type PairLinkWriter } from './pair-sync.js';
import type { EntitySummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

/**
 * The values to look Crmoffice candidates up by: each record's Customerp field behind the flow's
 * first identity field, non-empty strings only, each once, in first-seen order.
 */
export function identityLookups(flow: Dataflow, records: readonly CustomerpRecord[]): string[] {
  const identityField = propertyOf(flow, flow.identity[0] as string)?.customerp;
  if (!identityField) return [];
  const values = records
    .map((r) => (r as unknown as Record<string, unknown>)[identityField])
    .filter((v): v is string => typeof v === 'string' && v !== '');
  return [...new Set(values)];
}

/**
 * Crmoffice records found by identity, grouped by identity key (in the order found). A record
 * without a key, or one that belongs to another dataflow (an employee contact for a customer
 * contact), is no candidate; a Crmoffice-only one (no dataflow) is.
 */
export function candidatesByIdentity(
  flow: Dataflow,
  found: readonly CrmofficeRecord[],
): Map<string, CrmofficeRecord[]> {
  const byIdentity = new Map<string, CrmofficeRecord[]>();
  for (const candidate of found) {
    const key = recordIdentityKey(flow, 'CRMOFFICE', candidate);
    const candidateFlow = dataflowForCrmoffice(flow.crmoffice.type, candidate);
    if (!key || (candidateFlow !== null && candidateFlow !== flow)) continue;
    byIdentity.set(key, [...(byIdentity.get(key) ?? []), candidate]);
  }
  return byIdentity;
}

/** Whether a Crmoffice record whose link is `holder` may be matched: no link, or a live Crmoffice-only half link. */
export function isFreeCandidate(holder: Link | null): boolean {
  return !holder || (!holder.customerp && isLiveLink(holder));
}

/** What to do with one Customerp record that had no counterpart when its batch was sorted. */
export type MatchPlan =
  /** Paired since its batch was sorted (a mutation finished it): the next change brings the pair. */
  | { action: 'skip' }
  /** An unfinished write-through operation owns it: left to the operation, counted deferred. */
  | { action: 'defer' }
  /** Two or more free candidates share its identity key: never guessed, recorded as a conflict. */
  | { action: 'ambiguous'; identity: string | null; candidates: CrmofficeRecord[] }
  /** Exactly one free candidate: linked to it. */
  | { action: 'link'; candidate: CrmofficeRecord }
  /** No candidate: a counterpart is created. */
  | { action: 'create' };

/** What planMatch looks at for one record; `holderOf` answers a candidate's link from the batch's references. */
export interface MatchFacts {
  flow: Dataflow;
  record: CustomerpRecord;
  link: Link | null;
  owned: boolean;
  byIdentity: ReadonlyMap<string, readonly CrmofficeRecord[]>;
  holderOf: (candidate: CrmofficeRecord) => Link | null;
}

/** Decides match-or-create for one record (pure; the identity key is read only when it matters). */
export function planMatch(facts: MatchFacts): MatchPlan {
  if (facts.link?.crmoffice) return { action: 'skip' };
  if (facts.owned) return { action: 'defer' };
  const identity = recordIdentityKey(facts.flow, 'CUSTOMERP', facts.record);
  const candidates = (identity ? (facts.byIdentity.get(identity) ?? []) : []).filter((c) =>
    isFreeCandidate(facts.holderOf(c)),
  );
  if (candidates.length > 1) return { action: 'ambiguous', identity, candidates };
  const [candidate] = candidates;
  return candidate ? { action: 'link', candidate } : { action: 'create' };
}

/** Whether `conflicts` already hold an open ambiguous-match conflict naming exactly `candidateIds` (sorted). */
export function knowsAmbiguity(conflicts: readonly Conflict[], candidateIds: readonly string[]): boolean {
  return conflicts.some(
    (c) =>
      c.field === IDENTITY_CONFLICT_FIELD &&
      !c.resolvedAt &&
      JSON.stringify(c.crmofficeValue) === JSON.stringify(candidateIds),
  );
}

/** `conflicts` with every open identity conflict resolved at `now` (the others, and resolved ones, as they are). */
export function settleIdentityConflicts(conflicts: readonly Conflict[], now: Date): Conflict[] {
  return conflicts.map((c) => (c.field === IDENTITY_CONFLICT_FIELD && !c.resolvedAt ? { ...c, resolvedAt: now } : c));
}

/**
 * Customerp records without a counterpart: matched to an unlinked Crmoffice record by identity key,
 * or created there. Two candidates are not guessed: the link records a conflict for a person.
 */
export async function matchOrCreate(
  ctx: SyncContext,
  flow: Dataflow,
  type: CustomerpType,
  records: readonly CustomerpRecord[],
  refs: ReferenceIndex,
  summary: EntitySummary,
): Promise<void> {
  const crmType = flow.crmoffice.type as CrmofficeType;
  const lookups = identityLookups(flow, records);
  const found = lookups.length > 0 ? await ctx.apis.CRMOFFICE.findByIdentity(crmType, lookups) : [];
  await refs.loadRefs(
    'CRMOFFICE',
    crmType,
    found.map((c) => c.id),
  );
  await refs.loadReferencesOf(flow, 'CRMOFFICE', found);
  const byIdentity = candidatesByIdentity(flow, found);

  // A record that a mutation is still creating (or completing) belongs to its operation: a counterpart
  // made here too would race the operation into a duplicate. Asked after the records were read.
  const owned = await ctx.writeOwnership.ownedRecords(
    'CUSTOMERP',
    type,
    records.map((record) => ({ record, linkId: refs.linkOf('CUSTOMERP', type, record.id)?._id ?? null })),
  );

  const born: BornPair[] = [];
  try {
    for (const record of records) {
      const ref = { type, id: record.id };
      // The candidates' lookup may have loaded this record's link fresh: planMatch sees the newest.
      let link = refs.linkOf('CUSTOMERP', type, record.id);
      const plan = planMatch({
        flow,
        record,
        link,
        owned: owned.has(record.id),
        byIdentity,
        holderOf: (c) => refs.linkOf('CRMOFFICE', crmType, c.id),
      });
      try {
        switch (plan.action) {
          case 'skip':
            break;
          case 'defer':
            summary.deferred += 1;
            break;
          case 'ambiguous':
            summary.conflicts += await recordAmbiguousMatch(
              ctx,
              flow,
              record,
              link,
              plan.identity,
              plan.candidates,
              refs,
            );
            break;
          case 'link': {
            const records = { CUSTOMERP: record, CRMOFFICE: plan.candidate };
            const crmRef = { type: crmType, id: plan.candidate.id };
            if (!link && !refs.linkOf('CRMOFFICE', crmType, plan.candidate.id)) {
              // Neither record has a link yet: the pair's link is born settled, with the page's others.
              const fields: NewLink = {
                entity: flow.unifiedType,
                kind: flow.contactKind ?? null,
                customerp: ref,
                crmoffice: crmRef,
              };
              const draft = ctx.links.draft(fields);
              // Held from now on: another record of this page with the same identity does not match it too.
              refs.remember(draft);
              const writer = draftWriter(fields, (settled) =>
                born.push({ fields: { ...settled, _id: draft._id }, crmRef, ours: false }),
              );
              countPairOutcome(summary, await syncPair(ctx, flow, draft, records, refs, summary, { writer }));
              break;
            }
            link = await linkExisting(ctx, flow, ref, link, plan.candidate, refs);
            summary.linked += 1;
            countPairOutcome(summary, await syncPair(ctx, flow, link, records, refs, summary));
            break;
          }
          case 'create': {
            const pair = await createCounterpart(ctx, flow, record, link, refs, summary);
            if (pair) born.push(pair);
            break;
          }
          default: {
            const unreachable: never = plan;
            throw new Error(`unknown match plan ${JSON.stringify(unreachable)}`);
          }
        }
      } catch (error) {
        if (error instanceof UpstreamRejectedError) {
          // Refused for good: the record keeps (or gets) a half link in ERROR with the system's
          // message, so it is visible in the API and retried by no one until it is edited.
          const failed = link ?? (await errorHalfLink(ctx, flow, ref));
          if (!failed) {
            // Another writer paired the record meanwhile (the refusal is most likely its record's
            // unique key): its pair stands, and the next pass sees it.
            logger.debug(
              { type, id: record.id, reason: error.message },
              'refused after a link race; left to the next pass',
            );
            continue;
          }
          summary.errors += 1;
          await markLinkError(ctx.links, failed, error);
          continue;
        }
        if (
          error instanceof DuplicateLinkError ||
          error instanceof StaleLinkVersionError ||
          error instanceof SideTakenError
        ) {
          // Another writer linked it meanwhile; the next pass sees its result.
          logger.debug({ type, id: record.id, reason: error.message }, 'link raced; left to the next pass');
          continue;
        }
        throw error;
      }
    }
  } finally {
    // Even when the page stops early (an outage, a lost lease): what was created is linked.
    await linkBornPairs(ctx, born, refs, summary);
  }
}

/** A Customerp record and its Crmoffice counterpart (created by this page, or matched), waiting for their link. */
interface BornPair {
  /** The link's fields; `_id` is its draft's, when other records of the page may have seen the draft. */
  fields: NewLink & { _id?: string };
  crmRef: CrmofficeRef;
  /** Whether this page created the counterpart (and must remove it if another writer's link wins). */
  ours: boolean;
}

/** syncPair's writer for a pair whose link is still a draft: what it settles becomes the link's fields. */
function draftWriter(fields: NewLink, settle: (settled: NewLink) => void): PairLinkWriter {
  return {
    save: async (_link, changes) => settle({ ...fields, ...changes, lastSyncedAt: new Date() }),
    markError: async (_link, error) => {
      logRefusal(error, null);
      settle({ ...fields, state: 'ERROR', reason: error.message });
    },
  };
}

/** Links the page's new pairs in one insert; a pair another writer linked meanwhile loses (dropDuplicateCounterpart for a counterpart of ours). */
async function linkBornPairs(
  ctx: SyncContext,
  born: readonly BornPair[],
  refs: ReferenceIndex,
  summary: EntitySummary,
): Promise<void> {
  const links = await ctx.links.createMany(born.map((pair) => pair.fields));
  for (const [i, link] of links.entries()) {
    const { fields, crmRef, ours } = born[i]!;
    if (!(link instanceof DuplicateLinkError)) {
      if (ours) summary.created += 1;
      else summary.linked += 1;
      refs.remember(link);
      continue;
    }
    // A matched record someone else linked meanwhile stays theirs; the next pass sees their result.
    if (ours) await dropDuplicateCounterpart(ctx, fields.customerp!, crmRef, link);
    else logger.debug({ id: fields.customerp?.id, reason: link.message }, 'link raced; left to the next pass');
  }
}

/**
 * Our link lost to another writer's (a sync process, a mutation): the counterpart we created is a
 * duplicate, removed unless the other writer adopted it (found it by identity key and linked it).
 * Undoing our own create is allowed even after the lease is lost (undoApis), or the duplicate would
 * stay behind.
 */
async function dropDuplicateCounterpart(
  ctx: SyncContext,
  ref: CustomerpRef,
  crmRef: CrmofficeRef,
  lostTo: Error,
): Promise<void> {
  if (await ctx.links.findByRef('CRMOFFICE', crmRef)) {
    logger.debug({ type: ref.type, id: ref.id, adopted: crmRef.id }, 'link raced; the other writer adopted our record');
    return;
  }
  await ctx.undoApis.CRMOFFICE.remove(crmRef.type, crmRef.id, null);
  logger.debug(
    { type: ref.type, id: ref.id, reason: lostTo.message, removed: crmRef.id },
    'link raced; duplicate counterpart removed',
  );
}

/**
 * The half link a refused record gets so its ERROR has a place (the existing one if another writer
 * made it), or null when another writer has meanwhile paired the record: a pair it made is not ours to
 * mark ERROR (a sync process resumed after losing its lease met exactly this: its create, sent before
 * the pause, refused for the code the process that took over had just created).
 */
async function errorHalfLink(ctx: SyncContext, flow: Dataflow, ref: CustomerpRef): Promise<Link | null> {
  const { link, created } = await ctx.links.ensureLink(flow.unifiedType, 'CUSTOMERP', ref, {
    kind: flow.contactKind ?? null,
    state: 'ERROR',
  });
  return !created && link.crmoffice ? null : link;
}

/**
 * Creates `record`'s Crmoffice counterpart and links it (or leaves its link PENDING while a reference
 * waits). A record without a link yet gets its link born complete, with the page's others
 * (linkBornPairs): what is returned. If the process dies between the create and the link, the next
 * pass finds the created record by its identity key and links it instead of creating another.
 */
async function createCounterpart(
  ctx: SyncContext,
  flow: Dataflow,
  record: CustomerpRecord,
  link: Link | null,
  refs: ReferenceIndex,
  summary: EntitySummary,
): Promise<BornPair | null> {
  const ref = { type: flow.customerp.type as CustomerpType, id: record.id };
  const crmType = flow.crmoffice.type as CrmofficeType;
  const canonical = toCanonical(flow, 'CUSTOMERP', record, refs);
  const create = toCreateInput(flow, 'CRMOFFICE', canonical.values, refs);
  if (canonical.deferred.length > 0 || create.deferred.length > 0) {
    const pending =
      link ??
      (
        await ctx.links.ensureLink(
          flow.unifiedType,
          'CUSTOMERP',
          ref,
          { kind: flow.contactKind ?? null, state: 'PENDING' },
          { lookFirst: false },
        )
      ).link;
    await saveLink(
      ctx.links,
      pending,
      {
        state: 'PENDING',
        reason: waitingReason([...canonical.deferred, ...create.deferred]),
        keys: linkKeysOf(flow, canonical.values, null, refs),
      },
      refs,
    );
    summary.deferred += 1;
    return null;
  }
  const created = await ctx.apis.CRMOFFICE.create(crmType, create.input);
  const crmRef = { type: crmType, id: created.id };
  const { merged } = threeWayMerge({
    base: null,
    customerp: canonical.values,
    crmoffice: toCanonical(flow, 'CRMOFFICE', created, refs).values,
    customerpModifiedAt: ctx.apis.CUSTOMERP.modifiedAtOf(record),
    crmofficeModifiedAt: ctx.apis.CRMOFFICE.modifiedAtOf(created),
  });
  const state = {
    snapshot: merged,
    keys: linkKeysOf(flow, merged, created, refs),
    state: 'IN_SYNC' as const,
    lastSyncedAt: new Date(),
  };
  if (!link) {
    const fields: NewLink = {
      entity: flow.unifiedType,
      kind: flow.contactKind ?? null,
      customerp: ref,
      crmoffice: crmRef,
      ...state,
    };
    return { fields, crmRef, ours: true };
  }
  let attached: Link;
  try {
    attached = await ctx.links.attachSide(link._id, link.version, 'CRMOFFICE', crmRef);
  } catch (error) {
    if (!(
      error instanceof DuplicateLinkError ||
      error instanceof StaleLinkVersionError ||
      error instanceof SideTakenError
    ))
      throw error;
    await dropDuplicateCounterpart(ctx, ref, crmRef, error);
    return null;
  }
  summary.created += 1;
  await saveLink(ctx.links, attached, state, refs);
  return null;
}

/** Links a Customerp record to a Crmoffice candidate, reusing whichever half links exist (pairRecords). */
async function linkExisting(
  ctx: SyncContext,
  flow: Dataflow,
  ref: { type: CustomerpType; id: string },
  own: Link | null,
  candidate: CrmofficeRecord,
  refs: ReferenceIndex,
): Promise<Link> {
  const crmRef = { type: flow.crmoffice.type as CrmofficeType, id: candidate.id };
  let link = await pairRecords(ctx.links, {
    flow,
    customerp: { ref, link: own },
    crmoffice: { ref: crmRef, link: refs.linkOf('CRMOFFICE', crmRef.type, candidate.id) },
  });
  // A match that was ambiguous before (a duplicate has since gone) is settled now.
  const settled = settleIdentityConflicts(link.conflicts, new Date());
  const kind = flow.contactKind ?? null;
  if (link.kind !== kind || settled.some((c, i) => c !== link.conflicts[i])) {
    link = await ctx.links.update(link._id, link.version, { kind, conflicts: settled });
  }
  refs.remember(link);
  return link;
}

/** Gives `record`'s link an open ambiguous-match conflict naming `candidates`; returns the conflicts it added (0 or 1). */
async function recordAmbiguousMatch(
  ctx: SyncContext,
  flow: Dataflow,
  record: CustomerpRecord,
  link: Link | null,
  identity: string | null,
  candidates: readonly CrmofficeRecord[],
  refs: ReferenceIndex,
): Promise<number> {
  const ref = { type: flow.customerp.type as CustomerpType, id: record.id };
  const keys = linkKeysOf(flow, toCanonical(flow, 'CUSTOMERP', record, refs).values, null, refs);
  const own =
    link ??
    (
      await ctx.links.ensureLink(
        flow.unifiedType,
        'CUSTOMERP',
        ref,
        { kind: flow.contactKind ?? null, state: 'CONFLICT', keys },
        { lookFirst: false },
      )
    ).link;
  const ids = candidates.map((c) => c.id).sort();
  const known = knowsAmbiguity(own.conflicts, ids);
  if (known && own.state === 'CONFLICT') return 0;
  const conflict: Conflict = {
    id: randomUUID(),
    field: IDENTITY_CONFLICT_FIELD,
    customerpValue: identity,
    crmofficeValue: ids,
    kept: null,
    detectedAt: new Date(),
    resolvedAt: null,
  };
  const conflicts = known ? own.conflicts : withConflicts(own.conflicts, [conflict], ctx.resolvedConflictsKept);
  refs.remember(await ctx.links.update(own._id, own.version, { state: 'CONFLICT', conflicts, keys }));
  logger.warn(
    { type: ref.type, id: ref.id, candidates: ids.length },
    'ambiguous identity match recorded as a conflict',
  );
  return known ? 0 : 1;
}
