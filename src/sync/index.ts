export { SyncEngine, FEEDS, MassDeleteGuardError, type Feed, type SyncEngineDependencies, type SyncEngineOptions } from './engine.js';
export { FeedCursorStore, type FeedCursorDocument } from './cursors.js';
export { LeaseStore } from './leases.js';
export { threeWayMerge, type MergeConflict, type MergeInput, type MergeResult } from './merge.js';
export type { EntitySummary, FeedSummary, SyncSummary } from './summary.js';
export { SyncWorker, type SyncWorkerOptions, type SyncWorkerPhase } from './worker.js';
export { ReferenceIndex } from './reference-index.js';
export { linkKeysOf } from './link-keys.js';
