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

/** What callers use of a link loader: DataLoader's load, loadMany and prime. */
export interface LinkLoader<K> {
  load(key: K): Promise<Link | null>;
  loadMany(keys: ArrayLike<K>): Promise<(Link | null | Error)[]>;
  prime(key: K, link: Link): void;
}

export interface LinkLoaders {
  /** Link by _id; null for an unknown one (deleted links are returned: callers decide). */
  byId: LinkLoader<string>;
  /** Link holding a record of either system. */
  byRef: LinkLoader<SideKey>;
  /** Children of many parents, one query per (entity, key) and tick, each list in _id order. */
  children: { load(key: ChildrenKey): Promise<Link[]> };
}

/** One key of the shared link loader: a link id, or a record of either system. */
type LinkKey = { id: string } | SideKey;

/**
 * Per-request loaders over the link store. Links by id and by side share one DataLoader, so what a
 * tick asks for either way is one query (one MongoDB round trip per level of a query, however its
 * resolvers look links up). Every link one of them returns is primed into the caches (by id, by
 * each side), so a link read once in a request is never read again.
 */
export function createLinkLoaders(store: LinkStore, options: LoaderOptions = {}): LinkLoaders {
  const prime = (link: Link): void => {
    links.prime({ id: link._id }, link);
    if (link.customerp) links.prime({ system: 'CUSTOMERP', ref: link.customerp }, link);
    if (link.crmoffice) links.prime({ system: 'CRMOFFICE', ref: link.crmoffice }, link);
  };
  const links: DataLoader<LinkKey, Link | null, string> = new DataLoader(
    async (keys) => {
      const ids = keys.flatMap((key) => ('id' in key ? [key.id] : []));
      const refs = keys.flatMap((key) => ('id' in key ? [] : [key]));
      const found = new Map<string, Link>();
      for (const link of await store.findByIdsOrSideRefs(ids, refs)) {
        found.set(linkKeyString({ id: link._id }), link);
        if (link.customerp) found.set(linkKeyString({ system: 'CUSTOMERP', ref: link.customerp }), link);
        if (link.crmoffice) found.set(linkKeyString({ system: 'CRMOFFICE', ref: link.crmoffice }), link);
      }
      for (const link of new Set(found.values())) prime(link);
      return keys.map((key) => found.get(linkKeyString(key)) ?? null);
    },
    { ...options, cacheKeyFn: linkKeyString },
  );
  const byId: LinkLoader<string> = {
    load: (id) => links.load({ id }),
    loadMany: (ids) => links.loadMany(Array.from(ids, (id) => ({ id }))),
    prime: (_id, link) => prime(link),
  };
  const byRef: LinkLoader<SideKey> = {
    load: (key) => links.load(key),
    loadMany: (keys) => links.loadMany(Array.from(keys)),
    prime: (_key, link) => prime(link),
  };
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

function linkKeyString(key: LinkKey): string {
  return 'id' in key ? `id:${key.id}` : `${key.system}:${key.ref.type}:${key.ref.id}`;
}
