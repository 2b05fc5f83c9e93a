import type { SystemName } from '../errors.js';
import { sideFieldOf, type Link } from '../links/index.js';
import { dataflowForCustomerp, unifiedTypeOfCollection, type SystemRecord } from '../mappings/index.js';
import { ReferenceIndex } from '../reconcile/index.js';
import { otherSystem, type CrmofficeType, type CustomerpType } from '../upstreams/index.js';
import { trackCrmofficeOnly } from './crmoffice-only.js';
import { applyDeletes } from './deletes.js';
import type { FeedBatch } from './feed-reader.js';
import { matchOrCreate } from './match-or-create.js';
import { isPresent, syncLinkedPairs, type LinkedRecord } from './pair-sync.js';
import type { EntitySummary } from './summary.js';
import type { BySystem, SyncContext } from './sync-context.js';

/** Why a record of a batch is left alone. */
export type SkipReason =
  /** Its link is deleted (its counterpart was deleted): the delete wins. */
  | 'deleted'
  /** Its half link was detached by a person (unlinkRecords): it stays unpaired. */
  | 'detached';

/** A batch of records of one system, sorted by what their links say. */
export interface SortedBatch<R extends SystemRecord> {
  /** Linked to a record of the other system: synced as pairs. */
  pairs: { link: Link; record: R }[];
  /** No counterpart: Customerp records are matched or get one created, Crmoffice records are tracked alone. */
  unpaired: R[];
  skipped: { id: string; reason: SkipReason }[];
}

/**
 * Whether a system's record on a detached half link is skipped: a Customerp record's unpaired path
 * would match or create a counterpart, a Crmoffice record's only tracks it.
 */
const SKIPS_DETACHED: BySystem<boolean> = { CUSTOMERP: true, CRMOFFICE: false };

/** Sorts `records` of `system` (each with its link as `linkOf` answers it) into pairs, unpaired and skipped, keeping batch order. */
export function sortBatch<R extends SystemRecord>(
  system: SystemName,
  records: readonly R[],
  linkOf: (id: string) => Link | null,
): SortedBatch<R> {
  const counterpartSide = sideFieldOf(otherSystem(system));
  const sorted: SortedBatch<R> = { pairs: [], unpaired: [], skipped: [] };
  for (const record of records) {
    const link = linkOf(record.id);
    if (link?.deletedAt) sorted.skipped.push({ id: record.id, reason: 'deleted' });
    else if (link?.[counterpartSide]) sorted.pairs.push({ link, record });
    else if (link?.detached && SKIPS_DETACHED[system]) sorted.skipped.push({ id: record.id, reason: 'detached' });
    else sorted.unpaired.push(record);
  }
  return sorted;
}

/** Pairs of Crmoffice records grouped by their Customerp side's type (each type is one dataflow), types in first-seen order. */
export function pairsByCustomerpType(pairs: readonly LinkedRecord[]): Map<CustomerpType, LinkedRecord[]> {
  const byType = new Map<CustomerpType, LinkedRecord[]>();
  for (const pair of pairs) {
    const type = pair.link.customerp?.type;
    if (type) byType.set(type, [...(byType.get(type) ?? []), pair]);
  }
  return byType;
}

/**
 * Applies a batch of Customerp changes: deletes behind the guard, then linked records synced as
 * pairs, then the rest matched by identity key or given a Crmoffice counterpart.
 */
export async function applyCustomerpBatch(
  ctx: SyncContext,
  feedId: string,
  type: CustomerpType,
  batch: FeedBatch,
  summary: EntitySummary,
): Promise<void> {
  const flow = dataflowForCustomerp(type);
  const refs = new ReferenceIndex(ctx.links);
  await refs.loadRefs('CUSTOMERP', type, [...batch.upserts, ...batch.deletes]);
  await applyDeletes(ctx, feedId, 'CUSTOMERP', type, flow.unifiedType, batch.deletes, refs, summary);
  const records = (await ctx.apis.CUSTOMERP.getMany(type, batch.upserts)).filter(isPresent);
  if (records.length === 0) return;
  await refs.loadReferencesOf(flow, 'CUSTOMERP', records);
  const { pairs, unpaired } = sortBatch('CUSTOMERP', records, (id) => refs.linkOf('CUSTOMERP', type, id));
  if (pairs.length > 0) await syncLinkedPairs(ctx, flow, 'CUSTOMERP', pairs, refs, summary);
  if (unpaired.length > 0) await matchOrCreate(ctx, flow, type, unpaired, refs, summary);
}

/**
 * Applies a batch of Crmoffice changes: deletes behind the guard, then linked records synced as
 * pairs (per dataflow), then the rest tracked as Crmoffice-only records.
 */
export async function applyCrmofficeBatch(
  ctx: SyncContext,
  feedId: string,
  type: CrmofficeType,
  batch: FeedBatch,
  summary: EntitySummary,
): Promise<void> {
  const refs = new ReferenceIndex(ctx.links);
  await refs.loadRefs('CRMOFFICE', type, [...batch.upserts, ...batch.deletes]);
  await applyDeletes(ctx, feedId, 'CRMOFFICE', type, unifiedTypeOfCollection[type], batch.deletes, refs, summary);
  const records = (await ctx.apis.CRMOFFICE.getMany(type, batch.upserts)).filter(isPresent);
  if (records.length === 0) return;
  const { pairs, unpaired } = sortBatch('CRMOFFICE', records, (id) => refs.linkOf('CRMOFFICE', type, id));
  for (const [customerpType, group] of pairsByCustomerpType(pairs))
    await syncLinkedPairs(ctx, dataflowForCustomerp(customerpType), 'CRMOFFICE', group, refs, summary);
  if (unpaired.length > 0) await trackCrmofficeOnly(ctx, type, unpaired, refs, summary);
}
