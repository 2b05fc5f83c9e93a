import DataLoader from 'dataloader';
import type { SystemName } from '../../errors.js';
import type { CrmofficeRef, CustomerpRef, Link, LinkEntity, LinkStore } from '../../links/index.js';
import type { LoaderOptions } from './loader-options.js';

/** A record of either system, as a link holds it. */
export interface SideKey {
  system: SystemName;
  ref: CustomerpRef | CrmofficeRef;
}

/** The live links of `entity` whose `keys[key]` is `parentId`: a company's contacts, an owner's activities. */
export interface ChildrenKey {
  entity: LinkEntity;
  key: 'companyId' | 'ownerId';
  parentId: string;
}

export interface LinkLoaders {
  /** Link by _id; null for an unknown one (deleted links are returned: callers decide). */
  byId: DataLoader<string, Link | null>;
  /** Link holding a record of either system; one query for both systems' refs. */
  byRef: DataLoader<SideKey, Link | null, string>;
  /** Children of many parents, one query per (entity, key) and tick, each list in _id order. */
  children: { load(key: ChildrenKey): Promise<Link[]> };
}

/**
 * Per-request loaders over the link store. Every link one of them returns is primed into the others'
 * caches (by id, by each side), so a link read once in a request is never read again.
 */
export function createLinkLoaders(store: LinkStore, options: LoaderOptions = {}): LinkLoaders {
  const prime = (link: Link): void => {
    byId.prime(link._id, link);
    if (link.customerp) byRef.prime({ system: 'CUSTOMERP', ref: link.customerp }, link);
    if (link.crmoffice) byRef.prime({ system: 'CRMOFFICE', ref: link.crmoffice }, link);
  };
  const byId: DataLoader<string, Link | null> = new DataLoader(async (ids) => {
    const links = await store.findByIds(ids);
    for (const link of links) if (link) prime(link);
    return links;
  }, options);
  const byRef: DataLoader<SideKey, Link | null, string> = new DataLoader(
    async (keys) => {
      const links = await store.findBySideRefs(keys);
      for (const link of links) if (link) prime(link);
      return links;
    },
    { ...options, cacheKeyFn: sideKeyString },
  );
  // One loader per (entity, key): a list's children arrive with their own query, never waiting for another's.
  const childLoaders = new Map<string, DataLoader<string, Link[]>>();
  const childrenOf = (entity: LinkEntity, key: ChildrenKey['key']): DataLoader<string, Link[]> => {
    let loader = childLoaders.get(`${entity}:${key}`);
    if (!loader) {
      loader = new DataLoader<string, Link[]>(async (parentIds) => {
        const byParent = new Map<string, Link[]>();
        for (const link of await store.findByKey(entity, key, parentIds)) {
          prime(link);
          const parentId = link.keys[key];
          if (typeof parentId !== 'string') continue;
          const siblings = byParent.get(parentId);
          if (siblings) siblings.push(link);
          else byParent.set(parentId, [link]);
        }
        return parentIds.map((id) => byParent.get(id) ?? []);
      }, options);
      childLoaders.set(`${entity}:${key}`, loader);
    }
    return loader;
  };
  const children = { load: ({ entity, key, parentId }: ChildrenKey) => childrenOf(entity, key).load(parentId) };
  return { byId, byRef, children };
}

function sideKeyString({ system, ref }: SideKey): string {
  return `${system}:${ref.type}:${ref.id}`;
}
