import type { Conflict, Link } from '../links/index.js';

/**
 * What the gateway's resolvers pass down as parents (the codegen `mappers` of schema/gateway.graphql):
 * unified records travel as their link documents and every field is resolved from the link through
 * the request's loaders, so a field nobody asked for costs nothing.
 */

/** One edge of a Contact/Company/Activity connection. */
export interface LinkEdge {
  cursor: string;
  node: Link;
}

/** A page of links. `totalCount` is a thunk: the count query runs only when a client asks for it. */
export interface LinkConnection {
  links: Link[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}

/** A conflict together with the link it is recorded on. */
export interface ConflictEntry {
  link: Link;
  conflict: Conflict;
}

export interface ConflictPageEdge {
  cursor: string;
  node: ConflictEntry;
}

/** A page of conflicts; cursors are the conflicts' ids. */
export interface ConflictPage {
  entries: ConflictEntry[];
  hasNextPage: boolean;
  totalCount: () => Promise<number>;
}
