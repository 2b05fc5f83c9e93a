import type {
  ActivityChangeResolvers,
  CompanyChangeResolvers,
  ContactChangeResolvers,
  SubscriptionResolvers,
} from '../../generated/gateway-server.js';
import { encodeUnifiedId, isLiveLinkOf, type LinkEntity, type RecordedChange } from '../../links/index.js';
import type { GatewayContext } from '../context.js';
import { linkIdOfArg } from '../ids.js';
import type { ChangeFilter } from '../subscriptions/record-change-feed.js';

/**
 * Subscriptions (schema/gateway-subscriptions.graphql): each one is a filter over the process's
 * feed of record changes. An event's record is read when the event is sent, with loaders of its own.
 */

/** The changes of `entity`, only those of `ids` (unified ids of it; a malformed one is BAD_USER_INPUT on `ids`) when given. */
function changesOf(entity: LinkEntity, ids: readonly string[] | null | undefined, also?: ChangeFilter): ChangeFilter {
  const linkIds = ids ? new Set(ids.map((id) => linkIdOfArg(id, entity, 'ids').linkId)) : null;
  return (change) =>
    change.entity === entity && (linkIds === null || linkIds.has(change.linkId)) && (also?.(change) ?? true);
}

/** Each event starts with loaders of its own (a subscription's context outlives many events). */
function asEvent(change: RecordedChange, _args: unknown, context: GatewayContext): RecordedChange {
  context.freshen();
  return change;
}

export const Subscription: SubscriptionResolvers = {
  contactChanged: {
    subscribe: (_root, { ids, kinds }, context) =>
      context.recordChanges.subscribe(
        changesOf('Contact', ids, kinds ? (change) => change.kind !== null && kinds.includes(change.kind) : undefined),
      ),
    resolve: asEvent,
  },
  companyChanged: {
    subscribe: (_root, { ids }, context) => context.recordChanges.subscribe(changesOf('Company', ids)),
    resolve: asEvent,
  },
  activityChanged: {
    subscribe: (_root, { ids }, context) => context.recordChanges.subscribe(changesOf('Activity', ids)),
    resolve: asEvent,
  },
};

/** The record of a change as it is now: null once deleted. */
async function recordOf(change: RecordedChange, context: GatewayContext) {
  if (change.change === 'DELETED') return null;
  const link = await context.loaders.byId.load(change.linkId);
  return isLiveLinkOf(link, change.entity) ? link : null;
}

const changeFields = {
  change: (change: RecordedChange) => change.change,
  fields: (change: RecordedChange) => change.fields,
  at: (change: RecordedChange) => change.at.toISOString(),
};

export const ContactChange: ContactChangeResolvers = {
  ...changeFields,
  id: (change) => encodeUnifiedId('Contact', change.linkId),
  contact: (change, _args, context) => recordOf(change, context),
};

export const CompanyChange: CompanyChangeResolvers = {
  ...changeFields,
  id: (change) => encodeUnifiedId('Company', change.linkId),
  company: (change, _args, context) => recordOf(change, context),
};

export const ActivityChange: ActivityChangeResolvers = {
  ...changeFields,
  id: (change) => encodeUnifiedId('Activity', change.linkId),
  activity: (change, _args, context) => recordOf(change, context),
};
