import { randomUUID } from 'node:crypto';
import {
  MongoServerError,
  type Collection,
  type Db,
  type Filter,
  type IndexDescription,
  type MatchKeysAndValues,
} from 'mongodb';
import type { SystemName } from '../errors.js';
import { dropIndexIfPresent, type QueryShapeIndex } from '../mongo/index.js';
import {
  FINAL_STATES,
  sideKeyOf,
  UNFINISHED_STATES,
  type OperationDocument,
  type OperationOutcome,
  type OperationState,
} from './operation.js';

/** The outbox: one document per write-through mutation still being applied (or just finished). */
export const OPERATIONS_COLLECTION = 'operations';

/** Finished operations, kept for their idempotency keys until the retention has passed. */
export const FINISHED_OPERATIONS_COLLECTION = 'operations_finished';

/** How long finished operations (and so their idempotency keys) are kept. @default 24 h */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Every index of the two collections, named so re-running setupOperationIndexes() is a no-op.
 *
 * The idempotency key is part of the `_id` (operationIdOf): one operation per key is the `_id`'s own
 * uniqueness, and looking a key up is a lookup by `_id`. Finished operations move out of `operations`
 * at once (archive), which keeps the worker's and the ordering queries small. Keys expire by an
 * explicit cleanup (deleteFinishedBefore, run by the outbox worker) rather than a TTL index, which the
 * embedded engine lacks.
 */
export const OPERATION_INDEXES: Readonly<Record<string, readonly IndexDescription[]>> = {
  [OPERATIONS_COLLECTION]: [
    // The outbox worker's scan: unfinished operations that are due.
    { key: { state: 1, nextAttemptAt: 1 }, name: 'state_due' },
    // Per-link ordering: older unfinished operations on the same link go first.
    { key: { linkId: 1, createdAt: 1 }, name: 'link_created' },
    // refersTo: which operation wrote a record (recovery of an interrupted create). Sparse: an
    // operation has a record on a side only once it wrote there.
    { key: { 'customerp.ref.id': 1 }, name: 'customerp_record', sparse: true },
    { key: { 'crmoffice.ref.id': 1 }, name: 'crmoffice_record', sparse: true },
  ],
  [FINISHED_OPERATIONS_COLLECTION]: [
    // The retention cleanup.
    { key: { finishedAt: 1 }, name: 'finished_at' },
    // refersTo, over the archive as well.
    { key: { 'customerp.ref.id': 1 }, name: 'customerp_record', sparse: true },
    { key: { 'crmoffice.ref.id': 1 }, name: 'crmoffice_record', sparse: true },
  ],
};

/** Every query shape the outbox sends, with the index that serves it (as LINK_QUERY_SHAPES; docs/indexes.md). */
export const OPERATION_QUERY_SHAPES: readonly QueryShapeIndex[] = [
  {
    collection: OPERATIONS_COLLECTION,
    pattern: '_id=',
    indexes: ['_id_'],
    use: 'an operation by id or idempotency key, leases, state changes',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: '(createdAt<> | _id<> createdAt=) linkId= state=',
    indexes: ['link_created'],
    use: 'older unfinished operations on the same link (per-link order)',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: '(linkId= | customerp.ref.id= | customerp.ref= customerp.sentAt? kind=) state=',
    indexes: ['link_created', 'state_due'],
    use: 'does an unfinished write own this record? (sync asks before it creates a counterpart)',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: 'linkId=',
    indexes: ['link_created'],
    use: 'other unfinished operations on a link',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: 'state=',
    indexes: ['state_due'],
    use: "the worker's scan of due operations, the unfinished count",
  },
  {
    collection: FINISHED_OPERATIONS_COLLECTION,
    pattern: '_id=',
    indexes: ['_id_'],
    use: 'replaying an idempotency key',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: 'customerp.ref.id=',
    indexes: ['customerp_record'],
    use: 'refersTo: did another operation write this Customerp record?',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: 'crmoffice.ref.id=',
    indexes: ['crmoffice_record'],
    use: 'refersTo: did another operation write this Crmoffice record?',
  },
  {
    collection: FINISHED_OPERATIONS_COLLECTION,
    pattern: 'customerp.ref.id=',
    indexes: ['customerp_record'],
    use: 'refersTo: did another operation write this Customerp record?',
  },
  {
    collection: FINISHED_OPERATIONS_COLLECTION,
    pattern: 'crmoffice.ref.id=',
    indexes: ['crmoffice_record'],
    use: 'refersTo: did another operation write this Crmoffice record?',
  },
  {
    collection: FINISHED_OPERATIONS_COLLECTION,
    pattern: 'finishedAt<>',
    indexes: ['finished_at'],
    use: 'retention cleanup',
  },
  {
    collection: OPERATIONS_COLLECTION,
    pattern: '(all)',
    indexes: [],
    use: 'tests reading the whole collection',
    scan: 'the store sends no query without a filter',
  },
  {
    collection: FINISHED_OPERATIONS_COLLECTION,
    pattern: '(all)',
    indexes: [],
    use: 'tests reading the whole collection',
    scan: 'the store sends no query without a filter',
  },
];

/** An index of stores written when operations without a key held a placeholder key: the `_id` does its work. */
const RETIRED_INDEX = 'idempotency_key_unique';

/** Creates every index of the outbox, one command per collection; call once at start-up (idempotent). */
export async function setupOperationIndexes(db: Db): Promise<void> {
  await dropIndexIfPresent(db.collection(OPERATIONS_COLLECTION), RETIRED_INDEX);
  for (const [collection, indexes] of Object.entries(OPERATION_INDEXES))
    await db.collection(collection).createIndexes([...indexes]);
}

/**
 * Whose an idempotency key is. A caller's key is scoped to the caller (its principal's subject): two
 * callers sending the same key get two operations. The gateway's own keys (resolveConflict's) live in
 * a namespace of their own, which no client key can reach.
 */
export type IdempotencyKey = { owner: 'caller'; caller: string; key: string } | { owner: 'internal'; key: string };

/** `caller`'s idempotency key `key`, or null without one. */
export function callerKey(caller: string, key: string | null): IdempotencyKey | null {
  return key === null ? null : { owner: 'caller', caller, key };
}

/** One of the gateway's own idempotency keys. */
export function internalKey(key: string): IdempotencyKey {
  return { owner: 'internal', key };
}

/**
 * The `_id` of the operation that holds an idempotency key (or of a key-less one). The caller is
 * base64url-encoded, which has no `:`, so `caller:<caller>:<key>` is unambiguous whatever either holds.
 */
export function operationIdOf(idempotencyKey: IdempotencyKey | null): string {
  if (idempotencyKey === null) return `op:${randomUUID()}`;
  if (idempotencyKey.owner === 'internal') return `internal:${idempotencyKey.key}`;
  return `caller:${Buffer.from(idempotencyKey.caller, 'utf8').toString('base64url')}:${idempotencyKey.key}`;
}

/** Another process took the operation over (our lease had run out): stop advancing it. */
export class LeaseLostError extends Error {
  constructor(
    readonly operationId: string,
    readonly expectedState: OperationState,
  ) {
    super(`operation ${operationId} is no longer ours in state ${expectedState}`);
    this.name = 'LeaseLostError';
  }
}

/** What ordering and scheduling need of an unfinished operation (a projection: the worker reads less). */
export type OperationSummary = Pick<
  OperationDocument,
  '_id' | 'linkId' | 'createdAt' | 'state' | 'nextAttemptAt' | 'lease'
>;

const SUMMARY_PROJECTION = { _id: 1, linkId: 1, createdAt: 1, state: 1, nextAttemptAt: 1, lease: 1 } as const;

/** The steps whose system each state still has to write (ordering between operations of one link). */
const OPEN_STEPS: Readonly<Record<SystemName, readonly OperationState[]>> = {
  // A COMPENSATING operation will still write Customerp (the undo).
  CUSTOMERP: ['RECORDED', 'COMPENSATING'],
  CRMOFFICE: ['RECORDED', 'CUSTOMERP_DONE'],
};

/** The first of `older` (oldest first) that has yet to write `system`: operations of one link write each system in the order they were recorded. */
export function blockerOf(older: readonly OperationSummary[], system: SystemName): OperationSummary | null {
  return older.find((o) => OPEN_STEPS[system].includes(o.state)) ?? null;
}

/**
 * The outbox in MongoDB. Every change of an operation is one single-document atomic update guarded by
 * the state it expects and by the lease of the process advancing it, so two processes never both
 * advance one operation, and a process that lost its lease notices (LeaseLostError) and stops.
 */
export class OperationStore {
  private readonly operations: Collection<OperationDocument>;
  private readonly finished: Collection<OperationDocument>;

  constructor(db: Db) {
    this.operations = db.collection<OperationDocument>(OPERATIONS_COLLECTION);
    this.finished = db.collection<OperationDocument>(FINISHED_OPERATIONS_COLLECTION);
  }

  /**
   * Inserts `operation` unless its idempotency key is taken; then the operation holding the key is
   * returned with `created: false` (null while its first request is still recording it). Race-safe:
   * the `_id` (which holds the key) decides among concurrent inserts, and a finished operation that
   * moved out meanwhile is found by the check after the insert.
   */
  async insert(operation: OperationDocument): Promise<{ operation: OperationDocument | null; created: boolean }> {
    try {
      await this.operations.insertOne(operation);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return { operation: await this.findById(operation._id), created: false };
    }
    if (operation._id.startsWith('op:')) return { operation, created: true }; // no client key: nothing to collide with
    // archive() copies before it deletes: if the key's operation had moved out before our insert, its copy is there now.
    const earlier = await this.finished.findOne({ _id: operation._id });
    if (!earlier) return { operation, created: true };
    await this.operations.deleteOne({ _id: operation._id, state: 'RECORDED', 'lease.owner': operation.lease.owner });
    return { operation: earlier, created: false };
  }

  /** The operation with this id, unfinished or finished (within the retention). */
  async findById(id: string): Promise<OperationDocument | null> {
    return (await this.operations.findOne({ _id: id })) ?? (await this.finished.findOne({ _id: id }));
  }

  async findByKey(idempotencyKey: IdempotencyKey): Promise<OperationDocument | null> {
    return this.findById(operationIdOf(idempotencyKey));
  }

  /** Moves a finished operation out of the outbox (copy, then delete: it is never in neither). */
  async archive(operation: Pick<OperationDocument, '_id'>): Promise<void> {
    const current = await this.operations.findOne({ _id: operation._id });
    if (!current || !(FINAL_STATES as readonly string[]).includes(current.state)) return;
    try {
      await this.finished.insertOne(current);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    await this.operations.deleteOne({ _id: operation._id });
  }

  /** Archives finished operations left in the outbox (their process died between finishing and archiving). */
  async archiveFinished(): Promise<number> {
    const stragglers = await this.operations
      .find({ state: { $in: [...FINAL_STATES] } }, { projection: { _id: 1 } })
      .toArray();
    for (const { _id } of stragglers) await this.archive({ _id });
    return stragglers.length;
  }

  /**
   * Applies `set` (and `state`, when moving on) to an operation that is still in `expected` and still
   * leased by `owner`, renewing the lease. Returns the updated document; LeaseLostError otherwise.
   */
  async advance(
    operation: Pick<OperationDocument, '_id' | 'state'>,
    owner: string,
    leaseMs: number,
    set: MatchKeysAndValues<OperationDocument>,
  ): Promise<OperationDocument> {
    const now = new Date();
    const updated = await this.operations.findOneAndUpdate(
      { _id: operation._id, state: operation.state, 'lease.owner': owner },
      { $set: { ...set, updatedAt: now, 'lease.until': new Date(now.getTime() + leaseMs) } },
      { returnDocument: 'after' },
    );
    if (!updated) throw new LeaseLostError(operation._id, operation.state);
    return updated;
  }

  /**
   * Leaves an operation where it is, to be retried from `nextAttemptAt`, and gives its lease up (so
   * the outbox worker may take it). `countAttempt`: the retry backs off further.
   */
  async park(
    operation: Pick<OperationDocument, '_id' | 'state'>,
    owner: string,
    nextAttemptAt: Date,
    set: MatchKeysAndValues<OperationDocument>,
    countAttempt: boolean,
  ): Promise<OperationDocument> {
    const now = new Date();
    const updated = await this.operations.findOneAndUpdate(
      { _id: operation._id, state: operation.state, 'lease.owner': owner },
      {
        $set: { ...set, nextAttemptAt, updatedAt: now, 'lease.until': now },
        $inc: { attempts: countAttempt ? 1 : 0 },
      },
      { returnDocument: 'after' },
    );
    if (!updated) throw new LeaseLostError(operation._id, operation.state);
    return updated;
  }

  /** Every unfinished operation, oldest first, summarized. One query (the outbox holds only unfinished ones). */
  async unfinished(): Promise<OperationSummary[]> {
    return this.operations
      .find(
        { state: { $in: [...UNFINISHED_STATES] } },
        { projection: SUMMARY_PROJECTION, sort: { createdAt: 1, _id: 1 } },
      )
      .toArray();
  }

  /**
   * The unfinished operations that may own one of these records of `system`: those on one of
   * `linkIds`, those that wrote one of `recordIds`, and creates in flight there (sent, answer not yet
   * recorded). One query; the outbox holds only unfinished operations, so the last clause stays small.
   */
  async unfinishedTouching(
    system: SystemName,
    recordIds: readonly string[],
    linkIds: readonly string[],
  ): Promise<OperationDocument[]> {
    const side = sideKeyOf(system);
    return this.operations
      .find({
        state: { $in: [...UNFINISHED_STATES] },
        $or: [
          { linkId: { $in: [...linkIds] } },
          { [`${side}.ref.id`]: { $in: [...recordIds] } },
          { kind: 'create', [`${side}.ref`]: null, [`${side}.sentAt`]: { $ne: null } },
        ],
      })
      .toArray();
  }

  /** Takes an unfinished operation whose lease is free (or ran out); null when it is not to be had. */
  async claim(id: string, owner: string, leaseMs: number, now: Date = new Date()): Promise<OperationDocument | null> {
    return this.operations.findOneAndUpdate(
      { _id: id, state: { $in: [...UNFINISHED_STATES] }, 'lease.until': { $lte: now } },
      { $set: { 'lease.owner': owner, 'lease.until': new Date(now.getTime() + leaseMs) } },
      { returnDocument: 'after' },
    );
  }

  /** The unfinished operations on the same link recorded before `operation`, oldest first. */
  async olderOnLink(operation: Pick<OperationDocument, '_id' | 'linkId' | 'createdAt'>): Promise<OperationSummary[]> {
    if (operation.linkId === null) return [];
    const older: Filter<OperationDocument> = {
      linkId: operation.linkId,
      state: { $in: [...UNFINISHED_STATES] },
      $or: [
        { createdAt: { $lt: operation.createdAt } },
        { createdAt: operation.createdAt, _id: { $lt: operation._id } },
      ],
    };
    return this.operations.find(older, { projection: SUMMARY_PROJECTION, sort: { createdAt: 1, _id: 1 } }).toArray();
  }

  /** Whether another unfinished operation is recorded on the link (its state stays PENDING until none is). */
  async hasOtherUnfinished(linkId: string, exceptId: string): Promise<boolean> {
    const other = await this.operations.findOne({
      linkId,
      _id: { $ne: exceptId },
      state: { $in: [...UNFINISHED_STATES] },
    });
    return other !== null;
  }

  /** Whether an operation other than `exceptId` wrote (or is writing) this record of `system`. Rare path (recovery): reads both collections. */
  async refersTo(system: SystemName, recordId: string, exceptId: string): Promise<boolean> {
    const filter: Filter<OperationDocument> = { [`${sideKeyOf(system)}.ref.id`]: recordId, _id: { $ne: exceptId } };
    return (await this.operations.findOne(filter)) !== null || (await this.finished.findOne(filter)) !== null;
  }

  /** Records the first answer given, once (a later call keeps the first). */
  async recordOutcome(id: string, outcome: OperationOutcome): Promise<void> {
    await this.operations.updateOne({ _id: id, outcome: null }, { $set: { outcome } });
  }

  /** Operations still to be applied. */
  async countUnfinished(): Promise<number> {
    return this.operations.countDocuments({ state: { $in: [...UNFINISHED_STATES] } });
  }

  /** Deletes finished operations (and so frees their idempotency keys) finished before `before`. */
  async deleteFinishedBefore(before: Date): Promise<number> {
    const { deletedCount } = await this.finished.deleteMany({ finishedAt: { $lt: before } });
    return deletedCount;
  }
}

/** A unique-index violation (E11000). */
function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
