/** The two-way sync engine: feeds pulled from cursors, pairs merged and written, leases, the worker. */
export { SyncEngine, type SyncEngineDependencies, type SyncEngineOptions } from './engine.js';
export { DEFAULT_MASS_DELETE_POLICY, type MassDeletePolicy } from './mass-delete-guard.js';
export { HeldDeletes, feedNamed } from './held-deletes.js';
export { HeldLease, LeaseLostError, LeaseStore } from './leases.js';
export type { EntitySummary, FeedSummary, SyncSummary } from './summary.js';
export { SyncWorker, type SyncWorkerOptions, type SyncWorkerPhase } from './worker.js';
export {
  WebhookReceiver,
  WEBHOOK_DELIVERIES_COLLECTION,
  type WebhookAnswer,
  type WebhookReceiverOptions,
} from './webhook-receiver.js';
