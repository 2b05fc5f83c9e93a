import type { SystemName } from '../errors.js';
import type { Link, LinkStore } from '../links/index.js';
import type { ReferenceResolver } from '../mappings/index.js';

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
        ? await this.links.findByRefs('CUSTOMERP', missing.map((id) => ({ type: type as 'Employee', id })))
        : await this.links.findByRefs('CRMOFFICE', missing.map((id) => ({ type: type as 'Contact', id })));
    missing.forEach((id, i) => this.remember(found[i] ?? null, refKey(system, type, id)));
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
    return link && !link.deletedAt ? link._id : null;
  }

  recordIdOf(linkId: string, system: SystemName): string | null {
    const link = this.byId.get(linkId);
    if (!link || link.deletedAt) return null;
    return (system === 'CUSTOMERP' ? link.customerp?.id : link.crmoffice?.id) ?? null;
  }
}

function refKey(system: SystemName, type: string, id: string): string {
  return `${system}:${type}:${id}`;
}
