import type { SystemName } from '../../src/errors.js';
import type { ReferenceResolver } from '../../src/mappings/index.js';

/** One preloaded link: its id and the record it holds on each side (either may be missing). */
export interface StubLink {
  linkId: string;
  customerp?: { type: string; id: string };
  crmoffice?: { type: string; id: string };
}

/** A ReferenceResolver answering from a fixed list of links, as a caller's preloaded batch would. */
export function stubResolver(links: readonly StubLink[]): ReferenceResolver {
  const sideOf = (link: StubLink, system: SystemName) => (system === 'CUSTOMERP' ? link.customerp : link.crmoffice);
  return {
    linkIdOf: (system, type, recordId) =>
      links.find((link) => sideOf(link, system)?.type === type && sideOf(link, system)?.id === recordId)?.linkId ??
      null,
    recordIdOf: (linkId, system) => {
      const link = links.find((l) => l.linkId === linkId);
      return link ? (sideOf(link, system)?.id ?? null) : null;
    },
  };
}

/** For tables without references. */
export const noLinks: ReferenceResolver = stubResolver([]);
