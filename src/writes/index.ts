/**
 * Write-through mutations (docs/design.md, "Write-through semantics"): the service that writes both systems, the
 * outbox of operations in MongoDB that makes it survive crashes and outages, and the worker that
 * finishes what was left.
 */
export {
  ANONYMOUS_CALLER,
  WriteThrough,
  type ConflictResult,
  type LinkResult,
  type WriteResult,
  type WriteThroughDependencies,
  type WriteThroughOptions,
} from './write-through.js';
export {
  OutboxWorker,
  type OutboxRunSummary,
  type OutboxWorkerDependencies,
  type OutboxWorkerOptions,
  type OutboxWorkerPhase,
} from './outbox-worker.js';
export { outboxWriteOwnership } from './outbox-ownership.js';
export {
  OperationRunner,
  type KnownRecords,
  type OperationRunnerDependencies,
  type OperationRunnerOptions,
} from './operation-runner.js';
export {
  DEFAULT_RETENTION_MS,
  FINISHED_OPERATIONS_COLLECTION,
  LeaseLostError,
  OPERATIONS_COLLECTION,
  operationIdOf,
  callerKey,
  internalKey,
  type IdempotencyKey,
  OPERATION_INDEXES,
  OPERATION_QUERY_SHAPES,
  OperationStore,
  setupOperationIndexes,
} from './operations.js';
export {
  FINAL_STATES,
  UNFINISHED_STATES,
  isFinal,
  writesOf,
  type OperationDocument,
  type OperationFailure,
  type OperationKind,
  type OperationOutcome,
  type OperationState,
  type SideProgress,
  type SystemWrite,
  type WriteState,
} from './operation.js';
export { WriteRejectedError } from './write-errors.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
