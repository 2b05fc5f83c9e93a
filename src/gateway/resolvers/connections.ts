import type {
  ActivityConnectionResolvers,
  CompanyConnectionResolvers,
  ConflictConnectionResolvers,
  ContactConnectionResolvers,
} from '../../generated/gateway-server.js';
import { encodeConflictId } from '../ids.js';
import type { LinkConnection } from '../model.js';
import { edgesOf, pageInfoOf } from '../paging.js';

const linkConnection = {
  edges: (connection: LinkConnection) => edgesOf(connection),
  nodes: (connection: LinkConnection) => connection.links,
  pageInfo: (connection: LinkConnection) => pageInfoOf(connection),
  totalCount: (connection: LinkConnection) => connection.totalCount(),
};

export const ContactConnection: ContactConnectionResolvers = linkConnection;
export const CompanyConnection: CompanyConnectionResolvers = linkConnection;
export const ActivityConnection: ActivityConnectionResolvers = linkConnection;

export const ConflictConnection: ConflictConnectionResolvers = {
  edges: ({ entries }) =>
    entries.map((entry) => ({ cursor: encodeConflictId(entry.link._id, entry.conflict.id), node: entry })),
  nodes: ({ entries }) => entries,
  pageInfo: ({ entries, hasNextPage }) => {
    const last = entries.at(-1);
    return { hasNextPage, endCursor: last ? encodeConflictId(last.link._id, last.conflict.id) : null };
  },
  totalCount: (connection) => connection.totalCount(),
};
