import type { SystemName } from '../errors.js';
import type { LinkStore } from '../links/index.js';
import {
  crmofficeOnly,
  dataflows,
  lookupKeysOf,
  referencedLinkIds,
  referencedRecordIds,
  type CanonicalValues,
  type CrmofficeContact,
  type Mapping,
  type SystemRecord,
} from '../mappings/index.js';
import { ReferenceIndex } from '../sync/index.js';

/**
 * What the write path keeps on a link after writing both systems, computed exactly as the sync engine
 * computes it (src/sync/engine.ts), so that the next sync pass finds nothing to do.
 */

/** The mapping an operation was recorded with: a dataflow, or a Crmoffice-only view (by name). */
export function mappingNamed(name: string): Mapping {
  const mapping = dataflows.find((flow) => flow.name === name) ?? Object.values(crmofficeOnly).find((view) => view.name === name);
  if (!mapping) throw new Error(`no mapping named ${name}`);
  return mapping;
}

/** A record of one system, for preloading the links its references point at. */
export interface SystemRecordOf {
  system: SystemName;
  record: SystemRecord;
}

/**
 * A ReferenceResolver loaded, in a few queries, with every link that converting `values` (link ids)
 * and `records` (record ids, and a Crmoffice contact's company) needs.
 */
export async function referencesFor(
  links: LinkStore,
  mapping: Mapping,
  values: readonly Readonly<CanonicalValues>[],
  records: readonly SystemRecordOf[],
): Promise<ReferenceIndex> {
  const refs = new ReferenceIndex(links);
  await refs.loadIds(referencedLinkIds(mapping, values));
  for (const system of ['CUSTOMERP', 'CRMOFFICE'] as const) {
    const own = records.filter((r) => r.system === system).map((r) => r.record);
    if (own.length === 0) continue;
    for (const [type, ids] of Object.entries(referencedRecordIds(mapping, system, own))) await refs.loadRefs(system, type, ids);
    if (system === 'CRMOFFICE' && mapping.crmoffice.type === 'Contact') {
      const companies = own.map((r) => (r as CrmofficeContact).companyId).filter((id): id is string => typeof id === 'string');
      await refs.loadRefs('CRMOFFICE', 'Company', companies);
    }
  }
  return refs;
}

export { linkKeysOf } from '../sync/index.js';

/** Values with their fields in sorted order, as the sync engine's merge writes snapshots (it compares them as JSON). */
export function sortedValues(values: Readonly<CanonicalValues>): CanonicalValues {
  return Object.fromEntries(Object.keys(values).sort().map((field) => [field, values[field] ?? null]));
}
