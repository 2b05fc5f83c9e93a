import type { ConflictResolvers, LinkInfoResolvers, SyncInfoResolvers } from '../../generated/gateway-server.js';
import type { SystemName } from '../../errors.js';
import { isLiveLink, type Conflict as LinkConflict, type Link } from '../../links/index.js';
import { isDigest, personalValueOf } from '../../mappings/index.js';
import { mappingOfLink, syncReasonOf } from '../../reconcile/index.js';
import { assertScopes, RECORD_SCOPES } from '../authorization/index.js';
import { encodeConflictId } from '../ids.js';
import type { ConflictEntry } from '../model.js';
import type { UnifiedViews } from '../unified-view.js';
import { isoOf } from './unified-record.js';

export const LinkInfo: LinkInfoResolvers = {
  id: (link) => link._id,
  customerp: (link) =>
    link.customerp ? { system: 'CUSTOMERP', type: link.customerp.type, id: link.customerp.id } : null,
  crmoffice: (link) =>
    link.crmoffice ? { system: 'CRMOFFICE', type: link.crmoffice.type, id: link.crmoffice.id } : null,
  version: (link) => link.version,
  createdAt: (link) => isoOf(link.createdAt),
  updatedAt: (link) => isoOf(link.updatedAt),
};

/** The conflicts of a link that are still open, as Conflict parents. */
export function openConflictsOf(link: Link): ConflictEntry[] {
  return (link.conflicts ?? [])
    .filter((conflict) => conflict.resolvedAt == null)
    .map((conflict) => ({ link, conflict }));
}

export const SyncInfo: SyncInfoResolvers = {
  state: (link) => link.state,
  reason: (link) => syncReasonOf(link),
  lastSyncedAt: (link) => isoOf(link.lastSyncedAt),
  conflicts: (link) => openConflictsOf(link),
};

export const Conflict: ConflictResolvers = {
  id: ({ link, conflict }) => encodeConflictId(link._id, conflict.id),
  field: ({ conflict }) => conflict.field,
  // The values are the record's data: they need its read scope, not only the sync:admin that lists conflicts.
  customerpValue: ({ link, conflict }, _args, context) => {
    assertScopes(context.principal, `Conflict.customerpValue of a ${link.entity}`, [RECORD_SCOPES[link.entity].read]);
    return conflictValue(link, conflict, 'CUSTOMERP', context.views);
  },
  crmofficeValue: ({ link, conflict }, _args, context) => {
    assertScopes(context.principal, `Conflict.crmofficeValue of a ${link.entity}`, [RECORD_SCOPES[link.entity].read]);
    return conflictValue(link, conflict, 'CRMOFFICE', context.views);
  },
  kept: ({ conflict }) => conflict.kept ?? null,
  detectedAt: ({ conflict }) => isoOf(conflict.detectedAt),
  resolvedAt: ({ conflict }) => isoOf(conflict.resolvedAt),
  record: ({ link }) => (isLiveLink(link) ? link : null),
};

/**
 * One side's value of a conflict: as recorded, or for a personal field (stored as a digest) the value that
 * system holds now, read like the record's own fields (a system that cannot be read fails this field).
 */
async function conflictValue(
  link: Link,
  conflict: LinkConflict,
  system: SystemName,
  views: UnifiedViews,
): Promise<unknown> {
  const recorded = system === 'CUSTOMERP' ? conflict.customerpValue : conflict.crmofficeValue;
  if (!isDigest(recorded)) return recorded ?? null;
  const record = await views.recordOf(link, system);
  return record ? personalValueOf(mappingOfLink(link), system, record, conflict.field) : null;
}
