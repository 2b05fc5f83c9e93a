import { UpstreamRejectedError } from '../errors.js';
import {
  asOneChange,
  DuplicateLinkError,
  LinkNotFoundError,
  SideTakenError,
  StaleLinkVersionError,
  type CrmofficeRef,
  type CustomerpRef,
} from '../links/index.js';
import { logger } from '../logger.js';
import { dataflowForCustomerp, unifiedTypeOfCollection } from '../mappings/index.js';
import type { Feed } from '../reconcile/index.js';
import type { FeedBatch } from './feed-reader.js';
import { CRMOFFICE_ONLY_KIND } from './crmoffice-only.js';
import { addSummaries, emptyEntitySummary, type EntitySummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

/**
 * Errors that belong to one change: a system refusing it, its link moved or taken meanwhile, a record
 * that cannot be converted (malformed values). Anything else (an outage, a lost lease, MongoDB, an
 * unknown failure) is about the pass: it stops the feed at its cursor, to be read again next pass.
 */
function isChangeError(error: unknown): boolean {
  return (
    error instanceof UpstreamRejectedError ||
    error instanceof StaleLinkVersionError ||
    error instanceof DuplicateLinkError ||
    error instanceof SideTakenError ||
    error instanceof LinkNotFoundError ||
    error instanceof TypeError
  );
}

/**
 * Applies `batch` with `apply`, isolating failures to the change that causes them: when the whole
 * batch fails with a change error (isChangeError), its changes are applied one at a time, and
 * each one that still fails leaves its record's link in ERROR with the reason (a half link if it had
 * none) while the others go on. Applying is idempotent, so re-applying the changes that had gone
 * through costs reads only. What a failed attempt had counted is not counted. Subscribers see one
 * change per record of the batch (asOneChange), recorded in one insert.
 */
export function applyIsolated(...args: Parameters<typeof applyIsolatedNow>): Promise<void> {
  return asOneChange(() => applyIsolatedNow(...args));
}

async function applyIsolatedNow(
  ctx: SyncContext,
  feed: Feed,
  batch: FeedBatch,
  summary: EntitySummary,
  apply: (batch: FeedBatch, summary: EntitySummary) => Promise<void>,
): Promise<void> {
  const whole = emptyEntitySummary();
  try {
    await apply(batch, whole);
    addSummaries(summary, whole);
    return;
  } catch (error) {
    if (!isChangeError(error)) throw error;
    if (batch.upserts.length + batch.deletes.length <= 1) {
      await markChangeFailed(ctx, feed, [...batch.deletes, ...batch.upserts][0]!, error, summary);
      return;
    }
  }
  const singles: FeedBatch[] = [
    ...batch.deletes.map((id) => ({ upserts: [], deletes: [id] })),
    ...batch.upserts.map((id) => ({ upserts: [id], deletes: [] })),
  ];
  for (const single of singles) {
    const one = emptyEntitySummary();
    try {
      await apply(single, one);
      addSummaries(summary, one);
    } catch (error) {
      if (!isChangeError(error)) throw error;
      await markChangeFailed(ctx, feed, [...single.deletes, ...single.upserts][0]!, error, summary);
    }
  }
}

/** Marks the link of `feed`'s record `id` ERROR with `error`'s message (creating a half link if it has none). */
async function markChangeFailed(
  ctx: SyncContext,
  feed: Feed,
  id: string,
  error: unknown,
  summary: EntitySummary,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  const reason = `sync could not apply a change: ${message}`;
  logger.error({ feed: feed.id, id, err: error }, 'sync change failed; its link is marked ERROR and the pass goes on');
  summary.errors += 1;
  const [link] = await ctx.links.findBySideRefs([
    { system: feed.system, ref: { type: feed.type, id } as CustomerpRef | CrmofficeRef },
  ]);
  if (link) {
    try {
      await ctx.links.update(link._id, link.version, { state: 'ERROR', reason });
    } catch (cause) {
      if (!(cause instanceof StaleLinkVersionError)) throw cause; // moved meanwhile: its mover decides
    }
    return;
  }
  if (feed.system === 'CUSTOMERP') {
    const flow = dataflowForCustomerp(feed.type);
    const init = { kind: flow.contactKind ?? null, state: 'ERROR' as const, reason };
    await ctx.links.ensureLink(flow.unifiedType, 'CUSTOMERP', { type: feed.type, id }, init);
  } else {
    const init = { kind: CRMOFFICE_ONLY_KIND[feed.type], state: 'ERROR' as const, reason };
    await ctx.links.ensureLink(unifiedTypeOfCollection[feed.type], 'CRMOFFICE', { type: feed.type, id }, init);
  }
}
