import type { LinkStore } from '../links/index.js';
import type { CanonicalValues, Mapping } from '../mappings/index.js';
import type { FeedCursorStore } from '../reconcile/index.js';
import type { OperationOrder } from './operation-order.js';
import type { OperationProgress } from './operation-progress.js';
import type { OperationStore } from './operations.js';
import type { SystemRecords } from './system-records.js';

/**
 * What the parts of one run of one operation share (steps, compensation, link settlement): its
 * progress, the mapping and values it writes, the records it has read, and the stores it writes.
 */
export interface RunContext {
  readonly progress: OperationProgress;
  readonly mapping: Mapping;
  /** The operation's canonical values, decoded. */
  readonly values: CanonicalValues;
  readonly records: SystemRecords;
  readonly order: OperationOrder;
  readonly operations: OperationStore;
  readonly links: LinkStore;
  /** The sync engine's feed cursors: where the search for a create whose answer was lost starts. */
  readonly cursors: FeedCursorStore;
  /** Attempts of one write that keeps meeting concurrent edits (each refetches and merges). */
  readonly concurrencyAttempts: number;
}
