import { BadUserInputError } from '../errors.js';
import { isLiveLink, type Conflict, type LinkStore } from '../links/index.js';
import { decodeConflictId } from './ids.js';
import type { LinkLoaders } from './loaders/index.js';
import type { ConflictEntry, ConflictPage } from './model.js';

/** `open`: true = unresolved only, false = resolved only, null = all. */
function matcher(open: boolean | null): (conflict: Conflict) => boolean {
  return (conflict) => open === null || (open ? conflict.resolvedAt == null : conflict.resolvedAt != null);
}

/**
 * A page of the conflicts embedded in links, in link _id order and then in the order each link
 * records them. Reads links that hold conflicts in bounded batches (first + 1 links each) until the
 * page is full; the cursor is the last conflict's id, which names its link.
 */
export async function conflictPage(
  store: LinkStore,
  loaders: LinkLoaders,
  open: boolean | null,
  first: number,
  after: string | null,
): Promise<ConflictPage> {
  const matches = matcher(open);
  const entries: ConflictEntry[] = [];
  let afterLink: string | null = null;
  if (after !== null) {
    const parts = decodeConflictId(after);
    if (!parts) throw new BadUserInputError('after is not a cursor of this list', 'after');
    const link = await loaders.byId.load(parts.linkId);
    const index = isLiveLink(link) ? link.conflicts.findIndex((c) => c.id === parts.conflictId) : -1;
    if (link && index >= 0) {
      for (const conflict of link.conflicts.slice(index + 1)) if (matches(conflict)) entries.push({ link, conflict });
    }
    afterLink = parts.linkId;
  }
  while (entries.length <= first) {
    const links = await store.findWithConflicts(afterLink, first + 1);
    for (const link of links) {
      for (const conflict of link.conflicts) if (matches(conflict)) entries.push({ link, conflict });
    }
    if (links.length < first + 1) break;
    afterLink = links.at(-1)!._id;
  }
  return {
    entries: entries.slice(0, first),
    hasNextPage: entries.length > first,
    totalCount: () => countConflicts(store, open),
  };
}

/** How many conflicts match `open` over all live links (one query; conflicts are few). */
export async function countConflicts(store: LinkStore, open: boolean | null): Promise<number> {
  const matches = matcher(open);
  const links = await store.findWithConflicts(null, 0);
  return links.reduce((sum, link) => sum + link.conflicts.filter(matches).length, 0);
}
