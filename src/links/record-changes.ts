import { AsyncLocalStorage } from 'node:async_hooks';
import type { Collection, Db, IndexDescription, ObjectId } from 'mongodb';
import { logger } from '../logger.js';
import type { QueryShapeIndex } from '../mongo/index.js';
import { contactKindOf, type Link, type LinkEntity, type LinkKind } from './link.js';

/**
 * What happened to unified records, as subscribers see it (docs/subscriptions.md). Every write of a
 * link passes through here (the link store reports each one with the link before and after it); a
 * write that changes what the unified API shows of a record becomes a change, recorded in MongoDB so
 * that every gateway process sharing the database can read it. Writes that belong together (one
 * sync page, one mutation) are folded into one change per record: a subscriber sees one event for one
 * edit, however many link writes it took.
 */

/** The collection of recorded changes; each gateway process reads it while it has subscribers. */
export const RECORD_CHANGES_COLLECTION = 'record_changes';

export type RecordChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** One record's change. `fields`: the unified fields it changed (every field it has, for CREATED; none for DELETED). */
export interface RecordChange {
  linkId: string;
  entity: LinkEntity;
  /** A contact's kind (as contactKindOf says; before the change, for DELETED); null for other entities. */
  kind: LinkKind | null;
  change: RecordChangeKind;
  fields: string[];
}

/** A change as recorded: `at` is when it was recorded (the recording process's clock). */
export interface RecordedChange extends RecordChange {
  _id: ObjectId;
  at: Date;
}

/** What of a link the unified API shows: a change is a difference in these. */
export type VisibleLink = Pick<Link, '_id' | 'entity' | 'kind' | 'customerp' | 'crmoffice' | 'snapshot' | 'deletedAt'>;

export const RECORD_CHANGE_INDEXES: readonly IndexDescription[] = [
  // The readers' poll: changes recorded after a time.
  { key: { at: 1 }, name: 'at' },
];

/** Every query shape on record_changes, with its index (as LINK_QUERY_SHAPES; docs/indexes.md). */
export const RECORD_CHANGE_QUERY_SHAPES: readonly QueryShapeIndex[] = [
  {
    collection: RECORD_CHANGES_COLLECTION,
    pattern: 'at<>',
    indexes: ['at'],
    use: 'a gateway reading the changes recorded since its last read; forgetting old ones',
  },
];

/**
 * The change a link's write made to its unified record, `before` and `after` being the link as it
 * was and is (null: no link); null when nothing a reader sees changed (a sync state, a key).
 */
export function changeBetween(before: VisibleLink | null, after: VisibleLink | null): RecordChange | null {
  const was = isShown(before) ? before : null;
  const is = isShown(after) ? after : null;
  const link = is ?? was;
  if (!link) return null;
  const identity = {
    linkId: link._id,
    entity: link.entity,
    kind: link.entity === 'Contact' ? contactKindOf(link) : null,
  };
  if (!was) return { ...identity, change: 'CREATED', fields: changedFields(null, link) };
  if (!is) return { ...identity, change: 'DELETED', fields: [] };
  const fields = changedFields(was, is);
  return fields.length > 0 ? { ...identity, change: 'UPDATED', fields } : null;
}

function isShown(link: VisibleLink | null): link is VisibleLink {
  return link !== null && link.deletedAt === null;
}

/** The unified fields that differ: snapshot fields by their top-level name (`address.city` → `address`), then kind and the two sides. */
function changedFields(before: VisibleLink | null, after: VisibleLink): string[] {
  const fields = new Set<string>();
  const was = before?.snapshot ?? {};
  const is = after.snapshot ?? {};
  for (const field of new Set([...Object.keys(was), ...Object.keys(is)])) {
    if (!sameValue(was[field], is[field])) fields.add(field.split('.')[0]!);
  }
  for (const field of ['kind', 'customerp', 'crmoffice'] as const) {
    if (!sameValue(before?.[field], after[field])) fields.add(field);
  }
  return [...fields].sort();
}

/** Stored values compare as JSON (dates, digests, references); absent is null. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Who in this process hears that changes were recorded (the subscription feed, to read them at once). */
const recordedListeners = new Set<() => void>();

/** Calls `listener` after this process records changes; returns the function that stops it. */
export function onChangesRecorded(listener: () => void): () => void {
  recordedListeners.add(listener);
  return () => recordedListeners.delete(listener);
}

/** The link writes of one unit of work, per log: each link's first `before` and last `after`. */
type Unit = Map<RecordChangeLog, Map<string, { before: VisibleLink | null; after: VisibleLink | null }>>;

const units = new AsyncLocalStorage<Unit>();

/**
 * Runs `work` as one unit: the link writes it makes (in any store, at any depth of its calls) become
 * one change per record, recorded together, one insert, when it ends (also when it fails: what it
 * wrote stays written). Inside another unit it is part of that one.
 */
export async function asOneChange<T>(work: () => Promise<T>): Promise<T> {
  if (units.getStore()) return work();
  const unit: Unit = new Map();
  try {
    return await units.run(unit, work);
  } finally {
    for (const [log, writes] of unit) {
      await log.record([...writes.values()].flatMap(({ before, after }) => changeBetween(before, after) ?? []));
    }
  }
}

/** The record_changes collection: what the link store reports goes in, what subscribers read comes out. */
export class RecordChangeLog {
  private readonly changes: Collection<Omit<RecordedChange, '_id'> & { _id?: ObjectId }>;

  constructor(db: Db) {
    this.changes = db.collection(RECORD_CHANGES_COLLECTION);
  }

  /** A link was written (null: none before, or none after). Recorded now, or when the unit it belongs to ends. */
  async wrote(before: VisibleLink | null, after: VisibleLink | null): Promise<void> {
    const unit = units.getStore();
    if (!unit) {
      const change = changeBetween(before, after);
      if (change) await this.record([change]);
      return;
    }
    const writes = unit.get(this) ?? new Map<string, { before: VisibleLink | null; after: VisibleLink | null }>();
    unit.set(this, writes);
    const id = (after ?? before)!._id;
    writes.set(id, { before: writes.has(id) ? writes.get(id)!.before : before, after });
  }

  /**
   * Records `changes` in one insert. A failure is logged, not thrown: the writes they describe are
   * done, and a subscriber that misses an event reads the record as it is on its next query.
   */
  async record(changes: readonly RecordChange[]): Promise<void> {
    if (changes.length === 0) return;
    const at = new Date();
    try {
      await this.changes.insertMany(changes.map((change) => ({ ...change, at })));
      for (const listener of recordedListeners) listener();
    } catch (error) {
      logger.warn({ err: error, changes: changes.length }, 'could not record record changes for subscribers');
    }
  }

  /** The changes recorded after `since`, oldest first. */
  async recordedAfter(since: Date): Promise<RecordedChange[]> {
    const found = (await this.changes.find({ at: { $gt: since } }).toArray()) as RecordedChange[];
    // In memory: the embedded engine sorts by anything but _id by scanning, and a poll reads only a few seconds of changes.
    return found.sort(
      (a, b) => a.at.getTime() - b.at.getTime() || a._id.toHexString().localeCompare(b._id.toHexString()),
    );
  }

  /** Forgets changes recorded before `before` (the embedded engine has no TTL indexes). */
  async forgetBefore(before: Date): Promise<void> {
    await this.changes.deleteMany({ at: { $lt: before } });
  }
}

/**
 * Deletes changes older than `retainMs` from the shared log every `everyMs` (the embedded engine has
 * no TTL indexes; on MongoDB this is one indexed deleteMany a minute). Every gateway process and sync
 * worker does it (the delete is the same whoever runs it), so a log nobody reads stays bounded too. Returns the function that stops it.
 */
export function keepRecentChanges(log: RecordChangeLog, retainMs = 10 * 60_000, everyMs = 60_000): () => void {
  const timer = setInterval(() => {
    log
      .forgetBefore(new Date(Date.now() - retainMs))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not forget old record changes'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
