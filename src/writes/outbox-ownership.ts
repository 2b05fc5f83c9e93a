import type { Db } from 'mongodb';
import type { SystemName } from '../errors.js';
import {
  dataflowForCustomerp,
  identityKeyOf,
  recordIdentityKey,
  type Dataflow,
  type SystemRecord,
} from '../mappings/index.js';
import { mappingNamed, type RecordWithLink, type WriteOwnership } from '../reconcile/index.js';
import type { CustomerpType } from '../upstreams/index.js';
import { decodeValues, sideKeyOf, type OperationDocument } from './operation.js';
import { OperationStore } from './operations.js';
import { matchesInput } from './record-input.js';

/**
 * The outbox's answer to sync's question "which of these records does an unfinished operation own?"
 * (reconcile's WriteOwnership). An operation owns:
 * - the records of the link it writes (its linkId), and the records it has created (its side refs);
 * - a record it is creating right now: the create is recorded as sent (with its input) before it is
 *   sent, so by the time the record can appear in a feed the operation already claims it. Until the
 *   answer is recorded, such a record is recognised by the operation's identity key (e-mail, code,
 *   subject + date), or, for a mapping without one, by holding exactly what was sent.
 * One query over the unfinished operations, whatever the number of records.
 */
export function outboxWriteOwnership(db: Db): WriteOwnership {
  const operations = new OperationStore(db);
  return {
    async ownedRecords(system: SystemName, type: string, records: readonly RecordWithLink[]): Promise<Set<string>> {
      if (records.length === 0) return new Set();
      const side = sideKeyOf(system);
      const linkIds = records.map((r) => r.linkId).filter((id): id is string => id !== null);
      const candidates = await operations.unfinishedTouching(
        system,
        records.map((r) => r.record.id),
        linkIds,
      );
      if (candidates.length === 0) return new Set();
      const ownedLinks = new Set(candidates.map((op) => op.linkId));
      const ownedIds = new Set(candidates.map((op) => op[side].ref?.id));
      // Only Customerp records are created by both an operation and (as counterparts) by sync.
      const flow = system === 'CUSTOMERP' ? dataflowForCustomerp(type as CustomerpType) : null;
      const inFlight = flow
        ? candidates.filter(
            (op) =>
              op.kind === 'create' && op[side].ref === null && op[side].sentAt !== null && op.mapping === flow.name,
          )
        : [];
      const owned = new Set<string>();
      for (const { record, linkId } of records) {
        const mine = ownedIds.has(record.id) || (linkId !== null && ownedLinks.has(linkId));
        if (mine || (flow && inFlight.some((op) => isBeingCreatedBy(flow, system, record, op)))) owned.add(record.id);
      }
      return owned;
    },
  };
}

/** Whether `record` is the one `op` is creating in `system`: same identity key, or exactly the input sent. */
function isBeingCreatedBy(flow: Dataflow, system: SystemName, record: SystemRecord, op: OperationDocument): boolean {
  const identity = identityKeyOf(mappingNamed(op.mapping) as Dataflow, decodeValues(op.values));
  if (identity !== null) return identity === recordIdentityKey(flow, system, record);
  const input = op[sideKeyOf(system)].input;
  return input !== null && matchesInput(record, input);
}
