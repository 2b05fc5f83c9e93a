import {
  lookupKeysOf,
  type CanonicalValues,
  type CrmofficeContact,
  type Mapping,
  type ReferenceResolver,
  type SystemRecord,
} from '../mappings/index.js';

/**
 * A link's lookup keys: those of the mapping, plus for contacts the link id of the Crmoffice
 * contact's company (no dataflow maps it, but Contact.company and its filter need it). Sync and the
 * write path both store exactly this, so neither sees the other's link as changed. A key whose value
 * is known only as a digest (values that come from a snapshot) keeps its `previous` stored value.
 */
export function linkKeysOf(
  mapping: Mapping,
  values: Readonly<CanonicalValues>,
  crmRecord: SystemRecord | null,
  refs: ReferenceResolver,
  previous: Readonly<Record<string, string | null>> = {},
): Record<string, string | null> {
  const keys: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(lookupKeysOf(mapping, values))) {
    keys[key] = value === undefined ? (previous[key] ?? null) : value;
  }
  if (mapping.crmoffice.type === 'Contact') {
    const companyId = (crmRecord as CrmofficeContact | null)?.companyId;
    keys['companyId'] = companyId ? refs.linkIdOf('CRMOFFICE', 'Company', companyId) : null;
  }
  return keys;
}
