import type { SystemName } from '../errors.js';
import { isLiveLink, sideFieldOf, type Link } from '../links/index.js';
import { logger } from '../logger.js';
import type { ReferenceIndex } from '../reconcile/index.js';
import { apiOf, otherSystem } from '../upstreams/index.js';
import { saveLink } from './link-writes.js';
import type { EntitySummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

/**
 * Applies records deleted on `system`: deletes their counterparts and marks their links deleted (kept
 * for audit), or, when the mass-delete guard says so, holds them on their links for an operator
 * (HeldDeletes) and goes on with the batch's other changes.
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
  const victims = ids
    .map((id) => refs.linkOf(system, type, id))
    .filter(isLiveLink)
    .filter((link) => !link.heldDelete);
  if (victims.length === 0) return;
  const now = new Date();
  if ((await ctx.deletes.decide(ctx.links, feedId, entity, victims.length, now)) === 'hold') {
    for (const link of victims) {
      await saveLink(ctx.links, link, { state: 'PENDING', heldDelete: { feed: feedId, system, since: now } }, refs);
      summary.held += 1;
    }
    logger.warn(
      { feed: feedId, held: victims.length, policy: ctx.deletes.policy },
      'mass-delete guard: deletes held for an operator (approveHeldDeletes / discardHeldDeletes)',
    );
    return;
  }
  for (const link of victims) await applyDelete(ctx, link, system, summary);
}

/** Deletes the counterpart of `link`'s record deleted on `system` (if it has one) and marks the link deleted. */
export async function applyDelete(
  ctx: Pick<SyncContext, 'links' | 'apis'>,
  link: Link,
  system: SystemName,
  summary: Pick<EntitySummary, 'deleted'>,
): Promise<void> {
  const counterpartSystem = otherSystem(system);
  const other = link[sideFieldOf(counterpartSystem)];
  if (other) {
    await apiOf(ctx.apis, counterpartSystem).remove(other.type, other.id, null);
    summary.deleted += 1;
  }
  await saveLink(ctx.links, link, { deletedAt: new Date(), state: 'IN_SYNC', heldDelete: null });
}
