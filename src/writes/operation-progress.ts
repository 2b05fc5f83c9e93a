import type { MatchKeysAndValues } from 'mongodb';
import type { SystemName } from '../errors.js';
import {
  isFinal,
  sideKeyOf,
  stepSystemOf,
  writesOf,
  type OperationDocument,
  type OperationState,
} from './operation.js';
import type { OperationStore } from './operations.js';

/** A `$set` of an operation: top-level fields and dotted paths (`customerp.write`). */
export type OperationSet = MatchKeysAndValues<OperationDocument>;

/** The document as `set` ($set's dotted paths) would leave it; `operation` itself is not changed. */
export function withSet(operation: OperationDocument, set: OperationSet): OperationDocument {
  const next = structuredClone(operation) as unknown as Record<string, unknown>;
  for (const [path, value] of Object.entries(set as Record<string, unknown>)) {
    const parts = path.split('.');
    let target = next;
    for (const part of parts.slice(0, -1)) {
      const child = target[part];
      target = (typeof child === 'object' && child !== null ? child : (target[part] = {})) as Record<string, unknown>;
    }
    target[parts.at(-1) as string] = value;
  }
  return next as unknown as OperationDocument;
}

/**
 * `set`, plus the outcome `operation` (as `set` leaves it) gives, when the run answers a client and no
 * outcome was recorded yet: a replay of the idempotency key gets that first answer.
 */
export function answeredSet(operation: OperationDocument, set: OperationSet, answering: boolean): OperationSet {
  if (!answering || operation.outcome) return set;
  return { ...set, outcome: { writes: writesOf(operation), failure: operation.failure } };
}

/** The side fields that say the step of `state` is pending in `system`; nothing when `state`'s step is another system's (or none). */
export function pendingStep(state: OperationState, system: SystemName, reason: string): OperationSet {
  if (stepSystemOf(state) !== system) return {};
  const key = sideKeyOf(system);
  return { [`${key}.write`]: 'PENDING', [`${key}.error`]: reason };
}

export interface OperationProgressOptions {
  /** The process holding the operation's lease. */
  owner: string;
  /** How long each recorded step renews the lease for. */
  leaseMs: number;
  /** Where this run stops is a client's answer: record it as the outcome. */
  answering: boolean;
}

/**
 * One run's view of an operation: the document as this run has advanced it, and how much of that is
 * recorded. Progress is recorded lazily: kept in memory and written in one update at the next point
 * that needs it recorded (`persist`: before a create or an update that must be undoable is sent; a
 * final state; parking; a lease that needs renewing). Losing unrecorded progress in a crash is safe
 * because every step is idempotent when repeated: updates write only what still differs, deletes of a
 * gone record do nothing, and creates are marked sent (persisted) first.
 */
export class OperationProgress {
  private op: OperationDocument;
  /** The state as last recorded: what the next update is guarded by. */
  private savedState: OperationState;
  private savedAt = Date.now();
  private unsaved: Record<string, unknown> = {};

  constructor(
    private readonly store: Pick<OperationStore, 'advance' | 'park'>,
    operation: OperationDocument,
    private readonly options: OperationProgressOptions,
  ) {
    this.op = operation;
    this.savedState = operation.state;
  }

  /** The operation with all progress of this run, recorded or not. */
  get operation(): OperationDocument {
    return this.op;
  }

  /** Moves the operation on by `set`; records it now when `persist`, the state is final, or the lease needs renewing. */
  async advance(set: OperationSet, persist = false): Promise<void> {
    this.unsaved = { ...this.unsaved, ...(set as Record<string, unknown>) };
    this.op = withSet(this.op, set);
    if (persist || isFinal(this.op.state) || Date.now() - this.savedAt > this.options.leaseMs / 3) await this.save();
  }

  /** Records the progress kept in memory and `set`, gives the lease up and schedules the next attempt. */
  async park(nextAttemptAt: Date, set: OperationSet, countAttempt: boolean): Promise<void> {
    this.op = withSet(this.op, set);
    const all = answeredSet(this.op, { ...this.unsaved, ...(set as Record<string, unknown>) }, this.options.answering);
    this.op = await this.store.park(
      { _id: this.op._id, state: this.savedState },
      this.options.owner,
      nextAttemptAt,
      all,
      countAttempt,
    );
    this.savedState = this.op.state;
    this.unsaved = {};
  }

  /** Records the progress kept in memory, in one update guarded by the last recorded state and the lease. */
  private async save(): Promise<void> {
    const set = isFinal(this.op.state) ? answeredSet(this.op, this.unsaved, this.options.answering) : this.unsaved;
    this.op = await this.store.advance(
      { _id: this.op._id, state: this.savedState },
      this.options.owner,
      this.options.leaseMs,
      set,
    );
    this.savedState = this.op.state;
    this.savedAt = Date.now();
    this.unsaved = {};
  }
}
