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
 * write path both store exactly this, so neither sees the other's link as changed.
 */
export function linkKeysOf(
  mapping: Mapping,
  values: Readonly<CanonicalValues>,
  crmRecord: SystemRecord | null,
  refs: ReferenceResolver,
): Record<string, string | null> {
  const keys: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(lookupKeysOf(mapping, values))) keys[key] = value ?? null;
  if (mapping.crmoffice.type === 'Contact') {
    const companyId = (crmRecord as CrmofficeContact | null)?.companyId;
    keys['companyId'] = companyId ? refs.linkIdOf('CRMOFFICE', 'Company', companyId) : null;
  }
  return keys;
}
