import { BadUserInputError } from '../../errors.js';
import type { ChangeFeed } from '../../generated/customerp-server.js';
import type { AnyEntityTable } from './database.js';
import type { EntityTable } from './entity-table.js';
import type { CustomerpRecord } from './records.js';

/** Most records or ids one request may ask for. */
export const MAX_BATCH = 1000;

export interface ListArgs {
  ids?: readonly string[] | null;
  first?: number | null;
  after?: string | null;
}

export interface ListAnswer<R> {
  nodes: Array<R | null>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A list query: with `ids`, one node per id in the order asked (null for an unknown id) and no
 * paging; otherwise a page of `first` records in creation order after the cursor `after`.
 */
export function listRecords<R extends CustomerpRecord>(
  table: EntityTable<R>,
  args: ListArgs,
  defaultFirst: number,
): ListAnswer<R> {
  if (args.ids != null) {
    if (args.ids.length > MAX_BATCH)
      throw new BadUserInputError(`ids takes at most ${MAX_BATCH} ids, got ${args.ids.length}`, 'ids');
    return { nodes: table.store.getMany(args.ids), pageInfo: { hasNextPage: false, endCursor: null } };
  }
  const first = checkFirst(args.first ?? defaultFirst);
  if (args.after != null && !/^\d+$/.test(args.after)) {
    throw new BadUserInputError(`after ${JSON.stringify(args.after)} is not a cursor of this list`, 'after');
  }
  const { nodes, hasNextPage, endCursor } = table.store.page(first, args.after);
  return { nodes, pageInfo: { hasNextPage, endCursor } };
}

/** The change feed of one entity after `since` (a cursor this feed gave out, or null for its beginning). */
export function readChanges(
  table: AnyEntityTable,
  since: string | null | undefined,
  first: number | null | undefined,
): Omit<ChangeFeed, '__typename'> {
  const limit = checkFirst(first ?? 100);
  // A cursor beyond the end comes from another run of this server (a restart or /admin/reset):
  // reading on from it would silently skip changes, so it is refused.
  if (since != null && (!/^\d+$/.test(since) || Number(since) > table.store.changeCount)) {
    throw new BadUserInputError(`since ${JSON.stringify(since)} is not a cursor of this feed`, 'since');
  }
  const { items, cursor, hasMore } = table.store.changes(since, limit);
  return {
    items: items.map(({ id, op, revision, at }) => ({ id, op, version: revision, at })),
    cursor,
    hasMore,
  };
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 0 || first > MAX_BATCH) {
    throw new BadUserInputError(`first must be from 0 to ${MAX_BATCH}, got ${first}`, 'first');
  }
  return first;
}
