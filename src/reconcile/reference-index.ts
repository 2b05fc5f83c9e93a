import type { SystemName } from '../errors.js';
import { isLiveLink, type Link, type LinkStore } from '../links/index.js';
import {
  referencedLinkIds,
  referencedRecordIds,
  type CanonicalValues,
  type CrmofficeContact,
  type Mapping,
  type ReferenceResolver,
  type SystemRecord,
} from '../mappings/index.js';

/**
 * The links a batch of records refers to, loaded in a few queries up front so that the pure mapping
 * engine can translate references synchronously (ReferenceResolver). Unknown = not linked (yet).
 */
export class ReferenceIndex implements ReferenceResolver {
  private readonly byRef = new Map<string, Link | null>();
  private readonly byId = new Map<string, Link | null>();

  constructor(private readonly links: LinkStore) {}

  /** Loads the links of these records of `system` (one query for the ids not loaded yet). */
  async loadRefs(system: SystemName, type: string, ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.byRef.has(refKey(system, type, id)));
    if (missing.length === 0) return;
    const found =
      system === 'CUSTOMERP'
        ? await this.links.findByRefs(
            'CUSTOMERP',
            missing.map((id) => ({ type: type as 'Employee', id })),
          )
        : await this.links.findByRefs(
            'CRMOFFICE',
            missing.map((id) => ({ type: type as 'Contact', id })),
          );
    missing.forEach((id, i) => this.remember(found[i] ?? null, refKey(system, type, id)));
  }

  /**
   * Loads the links that `records` of `system` refer to through `mapping`, plus, for Crmoffice
   * contacts, their company's link (no dataflow maps a contact's company, but its link keys hold it).
   */
  async loadReferencesOf(mapping: Mapping, system: SystemName, records: readonly SystemRecord[]): Promise<void> {
    if (records.length === 0) return;
    for (const [type, ids] of Object.entries(referencedRecordIds(mapping, system, records)))
      await this.loadRefs(system, type, ids);
    if (system === 'CRMOFFICE' && mapping.crmoffice.type === 'Contact') {
      const companies = records
        .map((r) => (r as CrmofficeContact).companyId)
        .filter((id): id is string => typeof id === 'string');
      await this.loadRefs('CRMOFFICE', 'Company', companies);
    }
  }

  /** Loads links by id (one query for the ids not loaded yet). */
  async loadIds(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.byId.has(id));
    if (missing.length === 0) return;
    const found = await this.links.findByIds(missing);
    missing.forEach((id, i) => {
      const link = found[i] ?? null;
      if (link) this.remember(link);
      else this.byId.set(id, null);
    });
  }

  /** Records a link this batch created or changed, so later lookups in the batch see it. */
  remember(link: Link | null, asKey?: string): void {
    if (asKey) this.byRef.set(asKey, link);
    if (!link) return;
    this.byId.set(link._id, link);
    if (link.customerp) this.byRef.set(refKey('CUSTOMERP', link.customerp.type, link.customerp.id), link);
    if (link.crmoffice) this.byRef.set(refKey('CRMOFFICE', link.crmoffice.type, link.crmoffice.id), link);
  }

  linkOf(system: SystemName, type: string, recordId: string): Link | null {
    return this.byRef.get(refKey(system, type, recordId)) ?? null;
  }

  linkIdOf(system: SystemName, type: string, recordId: string): string | null {
    const link = this.linkOf(system, type, recordId);
    return isLiveLink(link) ? link._id : null;
  }

  recordIdOf(linkId: string, system: SystemName): string | null {
    const link = this.byId.get(linkId) ?? null;
    if (!isLiveLink(link)) return null;
    return (system === 'CUSTOMERP' ? link.customerp?.id : link.crmoffice?.id) ?? null;
  }
}

function refKey(system: SystemName, type: string, id: string): string {
  return `${system}:${type}:${id}`;
}

/** A record of one system, for preloading the links its references point at. */
export interface SystemRecordOf {
  system: SystemName;
  record: SystemRecord;
}

/**
 * A ReferenceIndex loaded, in a few queries, with every link that converting `values` (link ids)
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
    await refs.loadReferencesOf(
      mapping,
      system,
      records.filter((r) => r.system === system).map((r) => r.record),
    );
  }
  return refs;
}
