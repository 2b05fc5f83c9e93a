import { BadUserInputError } from '../errors.js';
import { encodeUnifiedId, type Link } from '../links/index.js';
import type { LinkConnection, LinkEdge } from './model.js';

/** Largest page any list serves; a client asking for more gets BAD_USER_INPUT rather than a silent cut. */
export const MAX_PAGE_SIZE = 100;

/** `first` checked against 0..MAX_PAGE_SIZE (GraphQL already made it an integer). */
export function pageSizeOf(first: number | null | undefined, defaultSize = 20): number {
  const size = first ?? defaultSize;
  if (size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`first must be between 0 and ${MAX_PAGE_SIZE}, got ${size}`, 'first');
  }
  return size;
}

/** The edges of a page of links: each cursor is its node's id. */
export function edgesOf(connection: LinkConnection): LinkEdge[] {
  return connection.links.map((link) => ({ cursor: encodeUnifiedId(link.entity, link._id), node: link }));
}

/** The pageInfo of a page of links. */
export function pageInfoOf(connection: LinkConnection): { hasNextPage: boolean; endCursor: string | null } {
  const last = connection.links.at(-1);
  return { hasNextPage: connection.hasNextPage, endCursor: last ? encodeUnifiedId(last.entity, last._id) : null };
}

/** A page cut from a whole (small) list of links in _id order: the nested lists, loaded for many parents at once. */
export function sliceConnection(all: readonly Link[], first: number, afterLinkId: string | null): LinkConnection {
  const rest = afterLinkId === null ? all : all.filter((link) => link._id > afterLinkId);
  const links = rest.slice(0, first);
  return { links, hasNextPage: rest.length > first, totalCount: () => Promise.resolve(all.length) };
}
