import type { FeedStatus, QueryResolvers, SyncState } from '../../generated/gateway-server.js';
import type { FeedCursorDocument } from '../../reconcile/index.js';
import { LINK_ENTITIES } from '../../links/index.js';
import { OperationStore } from '../../writes/index.js';
import { countConflicts } from '../conflicts.js';
import { isoOf } from './unified-record.js';

const STATE_ORDER: readonly SyncState[] = ['IN_SYNC', 'PENDING', 'CONFLICT', 'ERROR'];

export const syncStatusQuery: Pick<QueryResolvers, 'syncStatus'> = {
  // Five MongoDB queries, in parallel.
  syncStatus: async (_parent, _args, context) => {
    const [feeds, pendingOperations, openConflicts, counts, held] = await Promise.all([
      context.cursors.list(),
      new OperationStore(context.db).countUnfinished(),
      countConflicts(context.links, true),
      context.links.countByEntityAndState(),
      context.heldDeletes.counts(),
    ]);
    const rank = (entity: string, state: string): number =>
      LINK_ENTITIES.indexOf(entity as never) * 10 + STATE_ORDER.indexOf(state as SyncState);
    return {
      feeds: feeds.map((feed) => feedStatusOf(feed, held.get(feed._id) ?? 0)),
      pendingOperations,
      openConflicts,
      links: counts
        .sort((a, b) => rank(a.entity, a.state) - rank(b.entity, b.state))
        .map(({ entity, state, count }) => ({ entity, state, count })),
    };
  },
};

/** A feed's cursor document and its held deletes, as FeedStatus shows them. */
export function feedStatusOf(feed: FeedCursorDocument, heldDeletes: number): FeedStatus {
  return {
    feed: feed._id,
    system: feed.system,
    entity: feed.entity,
    cursor: feed.cursor,
    lastRunAt: isoOf(feed.lastRunAt),
    lagMs: feed.lagMs,
    applied: feed.applied ?? 0,
    blockedReason: feed.blockedReason ?? null,
    heldDeletes,
  };
}
