import type { SystemName } from '../errors.js';
import type { SystemRecord } from '../mappings/index.js';

/**
 * Which records an unfinished write-through operation owns. Sync leaves those alone (no counterpart,
 * no pairing): the operation finishes them. Injected into the sync engine by whoever wires both, so
 * that sync needs nothing of the outbox but this question.
 */
export interface WriteOwnership {
  /**
   * Of `records` (records of `system`'s `type`, each with the id of the link holding it, if any), the
   * ids of those an unfinished operation owns. Must be asked after the records were read: an
   * operation records what it is about to create before the record can exist.
   */
  ownedRecords(system: SystemName, type: string, records: readonly RecordWithLink[]): Promise<Set<string>>;
}

/** A record as sync has just read it, and the id of the link that holds it (null: none yet). */
export interface RecordWithLink {
  record: SystemRecord;
  linkId: string | null;
}

/** For a sync engine with no write path beside it (tools, benchmarks of sync alone). */
export const NO_WRITE_OWNERSHIP: WriteOwnership = { ownedRecords: () => Promise.resolve(new Set()) };
