import { BadUserInputError } from '../../errors.js';
import { decodeUnifiedId, entityOfSideType, isLiveLink, type Link } from '../../links/index.js';
import { assertScopes, RECORD_SCOPES } from '../authorization/index.js';
import { CrmofficeApi, CustomerpApi } from '../../upstreams/index.js';
import type { SystemWrite, WriteResult } from '../../writes/index.js';
import type { GatewayContext } from '../context.js';
import type { FeedStatus, MutationResolvers } from '../../generated/gateway-server.js';
import type { Feed } from '../../reconcile/index.js';
import { feedNamed } from '../../sync/index.js';
import { decodeConflictId } from '../ids.js';
import { createLoaders } from '../loaders/index.js';
import type { ConflictEntry } from '../model.js';
import { UnifiedViews } from '../unified-view.js';
import { feedStatusOf, syncStatusQuery } from './sync-status.js';

/**
 * The Mutation resolvers of schema/gateway-mutations.graphql: thin calls into the write-through
 * service (src/writes). Payload records travel as their link documents, like every unified record,
 * so the read API's Contact/Company/Activity resolvers resolve them, fresh from both systems.
 */

/** Parents of the payload types. */
export interface RecordPayload {
  record: Link | null;
  writes: SystemWrite[];
  operationId: string;
}
export interface DeletePayload {
  id: string;
  writes: SystemWrite[];
  operationId: string;
}
export interface LinkPayload {
  records: Link[];
  writes: SystemWrite[];
}
export interface ConflictPayload {
  conflict: ConflictEntry;
  writes: SystemWrite[];
  operationId: string;
}

/**
 * The payload of a write: the link as it is now. A write makes whatever this request read before it
 * stale, so the request's loaders and views start afresh (mutations run one after another, so no other
 * field is using them), and the record's fields are read from both systems again: read-your-writes.
 */
async function payloadOf(context: GatewayContext, result: WriteResult): Promise<RecordPayload> {
  context.loaders = createLoaders(
    context.links,
    new CustomerpApi(context.customerp),
    new CrmofficeApi(context.crmoffice),
  );
  context.views = new UnifiedViews(context.loaders);
  const link = result.linkId ? await context.links.findById(result.linkId) : null;
  const record = isLiveLink(link) ? link : null;
  if (record) context.loaders.byId.prime(record._id, record);
  return { record, writes: result.writes, operationId: result.operationId };
}

async function deletePayloadOf(id: string, result: Promise<WriteResult>): Promise<DeletePayload> {
  const { writes, operationId } = await result;
  return { id, writes, operationId };
}

export const Mutation: MutationResolvers = {
  createContact: async (_parent, { input }, context) => {
    const { record, ...rest } = await payloadOf(context, await context.writeThrough.createContact(input));
    return { contact: record, ...rest };
  },
  updateContact: async (_parent, { id, input }, context) => {
    const { record, ...rest } = await payloadOf(context, await context.writeThrough.updateContact(id, input));
    return { contact: record, ...rest };
  },
  deleteContact: (_parent, { id, idempotencyKey }, context) =>
    deletePayloadOf(id, context.writeThrough.deleteContact(id, idempotencyKey)),
  createCompany: async (_parent, { input }, context) => {
    const { record, ...rest } = await payloadOf(context, await context.writeThrough.createCompany(input));
    return { company: record, ...rest };
  },
  updateCompany: async (_parent, { id, input }, context) => {
    const { record, ...rest } = await payloadOf(context, await context.writeThrough.updateCompany(id, input));
    return { company: record, ...rest };
  },
  deleteCompany: (_parent, { id, idempotencyKey }, context) =>
    deletePayloadOf(id, context.writeThrough.deleteCompany(id, idempotencyKey)),
  createActivity: async (_parent, { input }, context) => {
    const { record, ...rest } = await payloadOf(context, await context.writeThrough.createActivity(input));
    return { activity: record, ...rest };
  },
  updateActivity: async (_parent, { id, input }, context) => {
    const { record, ...rest } = await payloadOf(context, await context.writeThrough.updateActivity(id, input));
    return { activity: record, ...rest };
  },
  deleteActivity: (_parent, { id, idempotencyKey }, context) =>
    deletePayloadOf(id, context.writeThrough.deleteActivity(id, idempotencyKey)),
  // The three sync:admin mutations that write record values also need the record type's write scope,
  // known only from their arguments (an argument naming no record is left to the write path's BAD_USER_INPUT).
  linkRecords: async (_parent, { customerp, crmoffice }, context) => {
    const entity = entityOfSideType('CUSTOMERP', customerp.type);
    if (entity) assertScopes(context.principal, `linkRecords on a ${entity}`, [RECORD_SCOPES[entity].write]);
    return context.writeThrough
      .linkRecords(customerp, crmoffice)
      .then(({ links, writes }) => ({ records: links, writes }));
  },
  unlinkRecords: async (_parent, { id }, context) => {
    const entity = decodeUnifiedId(id)?.entity;
    if (entity) assertScopes(context.principal, `unlinkRecords on a ${entity}`, [RECORD_SCOPES[entity].write]);
    return context.writeThrough.unlinkRecords(id).then(({ links, writes }) => ({ records: links, writes }));
  },
  resolveConflict: async (_parent, { id, keep }, context) => {
    const parts = decodeConflictId(id);
    if (!parts) throw new BadUserInputError('id is not a valid conflict id', 'id');
    const owner = await context.loaders.byId.load(parts.linkId);
    if (owner)
      assertScopes(context.principal, `resolveConflict on a ${owner.entity}`, [RECORD_SCOPES[owner.entity].write]);
    const result = await context.writeThrough.resolveConflict(parts, keep);
    const { record: link, writes, operationId } = await payloadOf(context, result);
    const conflict = link?.conflicts.find((c) => c.id === parts.conflictId);
    // The record was deleted meanwhile: its conflict is gone with it.
    if (!link || !conflict) throw new BadUserInputError('id names a conflict of a record that no longer exists', 'id');
    return { conflict: { link, conflict }, writes, operationId };
  },
  approveHeldDeletes: async (_parent, { system, entity }, context) => {
    const feed = feedNamed(system, entity);
    await context.heldDeletes.approve(feed);
    return feedStatusAfter(context, feed);
  },
  discardHeldDeletes: async (_parent, { system, entity }, context) => {
    const feed = feedNamed(system, entity);
    await context.heldDeletes.discard(feed);
    return feedStatusAfter(context, feed);
  },
  syncNow: async (parent, args, context, info) => {
    await context.syncNow();
    const syncStatus = syncStatusQuery.syncStatus;
    if (typeof syncStatus !== 'function') throw new Error('Query.syncStatus has no resolver function');
    return syncStatus(parent as never, args as never, context, info);
  },
};

/** The FeedStatus of `feed` now (a feed that never ran reads as fresh). */
async function feedStatusAfter(context: GatewayContext, feed: Feed): Promise<FeedStatus> {
  const [cursor, held] = await Promise.all([context.cursors.get(feed.id), context.heldDeletes.counts()]);
  const fresh = { _id: feed.id, system: feed.system, entity: feed.type, cursor: null, lastRunAt: null };
  return feedStatusOf(
    cursor ?? { ...fresh, lastChangeAt: null, lagMs: null, applied: 0, blockedReason: null },
    held.get(feed.id) ?? 0,
  );
}
