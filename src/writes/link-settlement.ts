import { StaleLinkVersionError, type Conflict, type Link, type LinkChanges, type LinkState } from '../links/index.js';
import {
  toCanonical,
  type CanonicalValues,
  type Mapping,
  type ReferenceResolver,
  type SystemRecord,
} from '../mappings/index.js';
import { linkKeysOf, referencesFor, sortedValues, threeWayMerge, type SystemRecordOf } from '../reconcile/index.js';
import type { OperationDocument, OperationKind } from './operation.js';
import type { RunContext } from './run-context.js';

/** Tries of a link change that keeps meeting concurrent link updates (each reads the link again). */
const LINK_ATTEMPTS = 5;

/** One side's record as the link is settled: the record and when it was last modified (ISO 8601). */
export interface SettledRecord {
  record: SystemRecord;
  modifiedAt: string;
}

/** What the snapshot of a link an operation wrote is made of. */
export interface SnapshotSources {
  mapping: Mapping;
  kind: OperationKind;
  /** The link as read: whether it has a Customerp side, and its previous snapshot. */
  link: Pick<Link, 'customerp' | 'snapshot'>;
  /** Each side's record as read now; null when the link lacks the side or the record is gone. */
  customerp: SettledRecord | null;
  crmoffice: SettledRecord | null;
  /** The operation's canonical values. */
  values: CanonicalValues;
  refs: ReferenceResolver;
}

/**
 * The snapshot of a link once an operation has written both systems. Creates with both records: the
 * merge the sync engine makes when it links a new pair. Crmoffice-only records: their values as they
 * are. Otherwise (updates): the previous snapshot with the mutation's fields; only they are known to
 * be on both sides now, and a concurrent edit of another field stays a change for sync to carry over.
 */
export function settledSnapshot(sources: SnapshotSources): CanonicalValues {
  const { mapping, kind, link, customerp, crmoffice, values, refs } = sources;
  if (kind === 'create' && customerp && crmoffice) {
    return threeWayMerge({
      base: null,
      customerp: toCanonical(mapping, 'CUSTOMERP', customerp.record, refs).values,
      crmoffice: toCanonical(mapping, 'CRMOFFICE', crmoffice.record, refs).values,
      customerpModifiedAt: customerp.modifiedAt,
      crmofficeModifiedAt: crmoffice.modifiedAt,
    }).merged;
  }
  if (!link.customerp && crmoffice) return toCanonical(mapping, 'CRMOFFICE', crmoffice.record, refs).values;
  return sortedValues({ ...((link.snapshot ?? {}) as CanonicalValues), ...values });
}

/** `conflicts` with the one a resolveConflict operation closes (`resolved`; null: none) marked kept and resolved at `now`, unless resolved already. */
export function resolvedConflicts(
  conflicts: readonly Conflict[],
  resolved: OperationDocument['conflict'],
  now: Date,
): Conflict[] {
  if (!resolved) return [...conflicts];
  return conflicts.map((c) =>
    c.id === resolved.id ? { ...c, kept: resolved.keep, resolvedAt: c.resolvedAt ?? now } : c,
  );
}

/** A link's state once an operation on it is done: PENDING while others on it are not, then by its open conflicts. */
export function settledLinkState(othersUnfinished: boolean, conflicts: readonly Conflict[]): LinkState {
  if (othersUnfinished) return 'PENDING';
  return conflicts.some((c) => !c.resolvedAt) ? 'CONFLICT' : 'IN_SYNC';
}

/**
 * Saves the link's snapshot, keys, conflicts and state after both systems hold the values (see
 * settledSnapshot), retrying when the link moved meanwhile. Nothing for a link that is gone or deleted.
 */
export async function settleLink(context: RunContext): Promise<void> {
  const { links, mapping, values, records } = context;
  const op = context.progress.operation;
  if (!op.linkId) return;
  for (let attempt = 1; attempt <= LINK_ATTEMPTS; attempt++) {
    const link = await links.findById(op.linkId);
    if (!link || link.deletedAt) return;
    const customerp = link.customerp ? await records.current('CUSTOMERP', link.customerp) : null;
    const crmoffice = link.crmoffice ? await records.current('CRMOFFICE', link.crmoffice) : null;
    const read: SystemRecordOf[] = [];
    if (customerp) read.push({ system: 'CUSTOMERP', record: customerp });
    if (crmoffice) read.push({ system: 'CRMOFFICE', record: crmoffice });
    const refs = await referencesFor(links, mapping, [values], read);
    const snapshot = settledSnapshot({
      mapping,
      kind: op.kind,
      link,
      customerp: customerp ? { record: customerp, modifiedAt: records.modifiedAtOf('CUSTOMERP', customerp) } : null,
      crmoffice: crmoffice ? { record: crmoffice, modifiedAt: records.modifiedAtOf('CRMOFFICE', crmoffice) } : null,
      values,
      refs,
    });
    const now = new Date();
    const conflicts = resolvedConflicts(link.conflicts, op.conflict, now);
    const keys = linkKeysOf(mapping, snapshot, crmoffice, refs, link.keys);
    try {
      await links.update(link._id, link.version, {
        snapshot,
        keys,
        conflicts,
        state: await settledState(context, link, conflicts),
        lastSyncedAt: now,
      });
      return;
    } catch (error) {
      if (!(error instanceof StaleLinkVersionError)) throw error;
    }
  }
  throw new Error(`link ${op.linkId} kept changing while operation ${op._id} settled it`);
}

/** A link this operation marked PENDING goes back to its settled state (after a failure or an undo). */
export async function settleLinkState(context: RunContext): Promise<void> {
  await updateLink(context, async (link) =>
    link.state === 'PENDING' ? { state: await settledState(context, link, link.conflicts) } : null,
  );
}

/** Marks the operation's link PENDING (a step left for later), unless it is already. */
export async function markLinkPending(context: RunContext): Promise<void> {
  await updateLink(context, (link) => Promise.resolve(link.state === 'PENDING' ? null : { state: 'PENDING' as const }));
}

/** Marks the operation's link deleted: gone from the unified API, and not a delete for sync to carry over again. */
export async function markLinkDeleted(context: RunContext): Promise<void> {
  await updateLink(context, () => Promise.resolve({ deletedAt: new Date(), state: 'IN_SYNC' as const }));
}

/** The link's state once this operation is done (settledLinkState, with whether others on it are unfinished). */
async function settledState(context: RunContext, link: Link, conflicts: readonly Conflict[]): Promise<LinkState> {
  return settledLinkState(
    await context.operations.hasOtherUnfinished(link._id, context.progress.operation._id),
    conflicts,
  );
}

/** Applies `change(link)` (null: nothing to change) to the live link, retrying when it moved meanwhile; nothing for a link that is gone or deleted. */
async function updateLink(context: RunContext, change: (link: Link) => Promise<LinkChanges | null>): Promise<void> {
  const linkId = context.progress.operation.linkId;
  if (!linkId) return;
  for (let attempt = 1; attempt <= LINK_ATTEMPTS; attempt++) {
    const link = await context.links.findById(linkId);
    if (!link || link.deletedAt) return;
    const changes = await change(link);
    if (!changes) return;
    try {
      await context.links.update(link._id, link.version, changes);
      return;
    } catch (error) {
      if (!(error instanceof StaleLinkVersionError)) throw error;
    }
  }
}
