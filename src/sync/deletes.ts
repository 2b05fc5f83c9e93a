import type { SystemName } from '../errors.js';
import { isLiveLink, sideFieldOf, type Link } from '../links/index.js';
import type { ReferenceIndex } from '../reconcile/index.js';
import { apiOf, otherSystem } from '../upstreams/index.js';
import { saveLink } from './link-writes.js';
import { massDeleteRefusal, withinAllowance } from './mass-delete-guard.js';
import type { EntitySummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

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
