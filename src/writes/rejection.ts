import type { UpstreamRejectedError, SystemName } from '../errors.js';
import { inputFieldOf, mappedProperties, systemFieldOf, type Mapping } from '../mappings/index.js';
import type { OperationDocument, OperationFailure } from './operation.js';
import type { OperationSet } from './operation-progress.js';

/**
 * What a system's refusal of a step leads to. FAILED: nothing written needs undoing. COMPENSATING:
 * Customerp holds the change and is to be undone. CRMOFFICE_ONLY: a delete Crmoffice refused after
 * Customerp's record went; the operation fails and Crmoffice's record lives on as Crmoffice-only.
 */
export type RejectionOutcome = 'FAILED' | 'COMPENSATING' | 'CRMOFFICE_ONLY';

/** A rejection's outcome and the operation's fields it sets. */
export interface Rejection {
  leadsTo: RejectionOutcome;
  set: OperationSet;
}

/** The unified input field behind a system's field name (`mobilePhone` → `mobile`), or null when there is none. */
export function unifiedFieldOf(mapping: Mapping, system: SystemName, field: string | undefined): string | null {
  if (!field) return null;
  const property = mappedProperties(mapping).find((p) => systemFieldOf(p, system) === field);
  return property ? inputFieldOf(mapping.unifiedType, property.field) : null;
}

/** A refusal for good as the operation records it (and a replay of its idempotency key reports it). */
export function failureOf(mapping: Mapping, error: UpstreamRejectedError): OperationFailure {
  return {
    message: error.message,
    system: error.system,
    upstreamCode: error.upstreamCode ?? null,
    field: unifiedFieldOf(mapping, error.system, error.field),
  };
}

/**
 * What `failure`, a refusal of the step of `op`'s state, leads to (at `now`). Only a step can be
 * refused: any state but RECORDED and CUSTOMERP_DONE is an error.
 */
export function rejectionOf(
  op: Pick<OperationDocument, '_id' | 'state' | 'kind' | 'customerp'>,
  failure: OperationFailure,
  now: Date,
): Rejection {
  if (op.state === 'RECORDED') {
    return {
      leadsTo: 'FAILED',
      set: {
        state: 'FAILED',
        failure,
        finishedAt: now,
        'customerp.write': 'FAILED',
        'customerp.error': failure.message,
        'crmoffice.write': 'SKIPPED',
        'crmoffice.error': 'not written: Customerp refused the change',
      },
    };
  }
  if (op.state !== 'CUSTOMERP_DONE') throw new Error(`operation ${op._id}: a rejection in state ${op.state}`);
  const crmoffice = { 'crmoffice.write': 'FAILED', 'crmoffice.error': failure.message };
  // A delete cannot be undone: Customerp's record is gone, so Crmoffice's is kept on its own.
  if (op.kind === 'delete' && op.customerp.write === 'APPLIED')
    return { leadsTo: 'CRMOFFICE_ONLY', set: { state: 'FAILED', failure, finishedAt: now, ...crmoffice } };
  const customerpWritten =
    (op.kind === 'create' && op.customerp.ref !== null) ||
    (op.kind === 'update' && op.customerp.write === 'APPLIED' && Object.keys(op.customerp.input ?? {}).length > 0);
  if (customerpWritten) return { leadsTo: 'COMPENSATING', set: { state: 'COMPENSATING', failure, ...crmoffice } };
  return { leadsTo: 'FAILED', set: { state: 'FAILED', failure, finishedAt: now, ...crmoffice } };
}
