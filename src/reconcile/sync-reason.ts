import { encodeUnifiedId, type Conflict, type Link } from '../links/index.js';
import {
  IDENTITY_CONFLICT_FIELD,
  unifiedTypeOfCollection,
  type CrmofficeCollection,
  type DeferredReference,
} from '../mappings/index.js';
import { SYSTEM_LABELS } from '../upstreams/index.js';

/**
 * Why `link` is not IN_SYNC, in one sentence for the API and the status page; null when it is.
 * A held delete comes first (it is what an operator must act on); CONFLICT names its open fields;
 * PENDING and ERROR carry the reason their writer stored (the missing reference, the system's message).
 */
export function syncReasonOf(link: Link): string | null {
  if (link.heldDelete) {
    const { system, since } = link.heldDelete;
    return `deleted in ${SYSTEM_LABELS[system]}; the delete is held by the mass-delete guard since ${since.toISOString()} (approve or discard it)`;
  }
  switch (link.state) {
    case 'IN_SYNC':
      return null;
    case 'CONFLICT':
      return conflictReason(link.conflicts.filter((c) => !c.resolvedAt));
    case 'PENDING':
      return link.reason ?? 'waiting for its counterpart to be created';
    case 'ERROR':
      return link.reason ?? 'a system refused a write';
    default: {
      const unreachable: never = link.state;
      return unreachable;
    }
  }
}

function conflictReason(open: readonly Conflict[]): string {
  if (open.some((c) => c.field === IDENTITY_CONFLICT_FIELD))
    return 'several Crmoffice records match its identity key: link one with linkRecords';
  const fields = [...new Set(open.map((c) => c.field))];
  return fields.length === 0
    ? 'waiting for a conflict to be resolved'
    : `both systems changed ${fields.join(', ')}: resolve with resolveConflict`;
}

/**
 * A PENDING link's stored reason: the references it waits for, e.g. `waiting for manager (Customerp
 * Employee emp-7) to be linked` or, for a unified record that has no record in the target system yet,
 * `waiting for owner (Contact <its id>) to get a Crmoffice record`.
 */
export function waitingReason(deferred: readonly DeferredReference[]): string {
  const named = [...new Set(deferred.map(describeReference))];
  return `waiting for ${named.join(', ')}`;
}

function describeReference(reference: DeferredReference): string {
  const { field, system, type, id, idKind } = reference;
  if (idKind === 'record') return `${field} (${SYSTEM_LABELS[system]} ${type} ${id}) to be linked`;
  const entity = system === 'CRMOFFICE' ? unifiedTypeOfCollection[type as CrmofficeCollection] : null;
  const record = entity ? `${entity} ${encodeUnifiedId(entity, id)}` : `link ${id}`;
  return `${field} (${record}) to get a ${SYSTEM_LABELS[system]} record`;
}
