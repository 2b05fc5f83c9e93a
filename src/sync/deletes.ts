import type { SystemName } from '../errors.js';
import { isLiveLink, sideFieldOf, type Link } from '../links/index.js';
import type { ReferenceIndex } from '../reconcile/index.js';
import { apiOf, otherSystem } from '../upstreams/index.js';
import { saveLink } from './link-writes.js';
import type { EntitySummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

/** How many deletes one pass may apply to one entity's links (docs/decisions.md, "Deletes"). */
export interface MassDeletePolicy {
  /** Share of the entity's links one pass may delete beyond the allowance. */
  readonly share: number;
  /** Deletes per feed and pass that are always allowed, whatever the share (small tables). */
  readonly allowance: number;
}

/** The mass-delete guard stopped a feed; nothing was deleted. */
export class MassDeleteGuardError extends Error {
  constructor(readonly feed: string, readonly deletes: number, readonly links: number, share: number) {
    super(`mass-delete guard: ${deletes} of ${links} links of ${feed} would be deleted in one pass (more than ${Math.round(share * 100)} %); nothing deleted`);
    this.name = 'MassDeleteGuardError';
  }
}

/** Whether `planned` deletes are within the allowance, so the guard needs no link count to allow them. */
export function withinAllowance(planned: number, policy: MassDeletePolicy): boolean {
  return planned <= policy.allowance;
}

/**
 * The guard's decision on `planned` deletes of `feed` in one pass, out of `total` links of its entity:
 * null to go ahead, or the error that stops the feed (beyond the allowance and more than the share).
 */
export function massDeleteRefusal(feed: string, planned: number, total: number, policy: MassDeletePolicy): MassDeleteGuardError | null {
  if (withinAllowance(planned, policy) || planned <= policy.share * total) return null;
  return new MassDeleteGuardError(feed, planned, total, policy.share);
}

/** The policy, and the deletes each feed has applied in the current pass (a feed's batches add up). */
export class MassDeleteGuard {
  private readonly applied = new Map<string, number>();

  constructor(readonly policy: MassDeletePolicy) {}

  /** Starts a pass: every feed's count goes back to zero. */
  startPass(): void {
    this.applied.clear();
  }

  /** Deletes `feed` has applied in this pass. */
  appliedBy(feed: string): number {
    return this.applied.get(feed) ?? 0;
  }

  /** Counts one delete `feed` applied. */
  count(feed: string): void {
    this.applied.set(feed, this.appliedBy(feed) + 1);
  }
}

/**
 * Deletes the counterparts of records deleted on `system` and marks their links deleted (kept for
 * audit). Throws MassDeleteGuardError, having deleted nothing of this batch, when the guard refuses.
 */
export async function applyDeletes(
  ctx: SyncContext,
  feedId: string,
  system: SystemName,
  type: string,
  entity: Link['entity'],
  ids: readonly string[],
  refs: ReferenceIndex,
  summary: EntitySummary,
): Promise<void> {
  const victims = ids.map((id) => refs.linkOf(system, type, id)).filter(isLiveLink);
  if (victims.length === 0) return;
  const planned = ctx.deletes.appliedBy(feedId) + victims.length;
  // The link count costs a query: asked only beyond the allowance.
  if (!withinAllowance(planned, ctx.deletes.policy)) {
    const refusal = massDeleteRefusal(feedId, planned, await ctx.links.count({ entity }), ctx.deletes.policy);
    if (refusal) throw refusal;
  }
  const counterpartSystem = otherSystem(system);
  for (const link of victims) {
    const other = link[sideFieldOf(counterpartSystem)];
    if (other) {
      await apiOf(ctx.apis, counterpartSystem).remove(other.type, other.id, null);
      summary.deleted += 1;
    }
    await saveLink(ctx.links, link, { deletedAt: new Date(), state: 'IN_SYNC' });
    ctx.deletes.count(feedId);
  }
}
