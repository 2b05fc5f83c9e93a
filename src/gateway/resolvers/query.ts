import type {
  ActivityFilter,
  CompanyFilter,
  ContactFilter,
  QueryResolvers,
  System,
} from '../../generated/gateway-server.js';
import { BadUserInputError } from '../../errors.js';
import {
  isLiveLinkOf,
  type CrmofficeRef,
  type CustomerpRef,
  type Link,
  type LinkEntity,
  type LinkFilter,
} from '../../links/index.js';
import { conflictPage } from '../conflicts.js';
import type { GatewayContext } from '../context.js';
import { linkIdOfArg, linkIdOfCursor } from '../ids.js';
import type { LinkConnection } from '../model.js';
import { pageSizeOf } from '../paging.js';

/** The record types a unified entity holds on each side (what `…ByRef` looks up). */
const REF_TYPES: Readonly<Record<LinkEntity, Readonly<Record<System, readonly string[]>>>> = {
  Contact: { CUSTOMERP: ['Employee', 'Contact'], CRMOFFICE: ['Contact'] },
  Company: { CUSTOMERP: ['Product'], CRMOFFICE: ['Company'] },
  Activity: { CUSTOMERP: ['Project'], CRMOFFICE: ['Activity'] },
};

/** The live link of `entity` behind a unified id argument, or null. */
export async function linkOfUnifiedId(context: GatewayContext, id: string, entity: LinkEntity): Promise<Link | null> {
  const { linkId } = linkIdOfArg(id, entity, 'id');
  const link = await context.loaders.byId.load(linkId);
  return isLiveLinkOf(link, entity) ? link : null;
}

/** The live link of `entity` holding this record of `system` (any of the entity's types there), or null. */
async function byRef(context: GatewayContext, entity: LinkEntity, system: System, id: string): Promise<Link | null> {
  const keys = REF_TYPES[entity][system].map((type) => ({ system, ref: { type, id } as CustomerpRef | CrmofficeRef }));
  const links = await context.loaders.byRef.loadMany(keys);
  for (const link of links) {
    if (link instanceof Error) throw link;
    if (isLiveLinkOf(link, entity)) return link;
  }
  return null;
}

/** One page of `entity`'s links over the link store's indexes; the count runs only if asked for. */
async function linkPage(
  context: GatewayContext,
  entity: LinkEntity,
  filter: LinkFilter,
  args: { first?: number | null; after?: string | null },
): Promise<LinkConnection> {
  const first = pageSizeOf(args.first);
  const after = linkIdOfCursor(args.after, entity);
  const { links, hasNextPage } = await context.links.findPage({ entity, filter, first, after });
  // Later lookups of these links (an activity's owner on this page, say) need no query.
  for (const link of links) context.loaders.byId.prime(link._id, link);
  return { links, hasNextPage, totalCount: () => context.links.count({ entity, ...filter }) };
}

/** A unified id in a filter as the link id the keys hold (null: no filter). */
function filterLinkId(id: string | null | undefined, entity: LinkEntity, field: string): string | null {
  return id == null ? null : linkIdOfArg(id, entity, field).linkId;
}

/**
 * Longest text a filter field takes. Longer than any value the keys hold (a contact's name is at most
 * 200 + 1 + 200 characters, up to twice that once lower-cased; an e-mail address or a code 200), so
 * nothing that could match is refused; and short enough that `nameContains` stays a cheap pattern
 * (one of 100,000 characters kept MongoDB busy for seconds).
 */
const MAX_FILTER_TEXT = 1000;

/** A text filter value, checked; BAD_USER_INPUT naming `field` when it is longer than any key. */
function filterText(value: string | null | undefined, field: string): string | null {
  if (value == null) return null;
  if (value.length > MAX_FILTER_TEXT)
    throw new BadUserInputError(`${field} must be at most ${MAX_FILTER_TEXT} characters long`, field);
  return value;
}

function contactFilter(filter: ContactFilter | null | undefined): LinkFilter {
  return {
    kind: filter?.kind ?? null,
    email: filterText(filter?.email, 'filter.email'),
    nameContains: filterText(filter?.nameContains, 'filter.nameContains'),
    companyId: filterLinkId(filter?.companyId, 'Company', 'filter.companyId'),
    state: filter?.syncState ?? null,
  };
}

function companyFilter(filter: CompanyFilter | null | undefined): LinkFilter {
  return {
    nameContains: filterText(filter?.nameContains, 'filter.nameContains'),
    code: filterText(filter?.code, 'filter.code'),
    state: filter?.syncState ?? null,
  };
}

function activityFilter(filter: ActivityFilter | null | undefined): LinkFilter {
  return {
    status: filterText(filter?.status, 'filter.status'),
    ownerId: filterLinkId(filter?.ownerId, 'Contact', 'filter.ownerId'),
    companyId: filterLinkId(filter?.companyId, 'Company', 'filter.companyId'),
    state: filter?.syncState ?? null,
  };
}

export const readQueries: Omit<QueryResolvers, 'health' | 'syncStatus'> = {
  node: async (_parent, { id }, context) => {
    const { entity, linkId } = linkIdOfArg(id, null, 'id');
    const link = await context.loaders.byId.load(linkId);
    return isLiveLinkOf(link, entity) ? link : null;
  },
  contact: (_parent, { id }, context) => linkOfUnifiedId(context, id, 'Contact'),
  company: (_parent, { id }, context) => linkOfUnifiedId(context, id, 'Company'),
  activity: (_parent, { id }, context) => linkOfUnifiedId(context, id, 'Activity'),
  contactByRef: (_parent, { system, id }, context) => byRef(context, 'Contact', system, id),
  companyByRef: (_parent, { system, id }, context) => byRef(context, 'Company', system, id),
  activityByRef: (_parent, { system, id }, context) => byRef(context, 'Activity', system, id),
  contacts: (_parent, args, context) => linkPage(context, 'Contact', contactFilter(args.filter), args),
  companies: (_parent, args, context) => linkPage(context, 'Company', companyFilter(args.filter), args),
  activities: (_parent, args, context) => linkPage(context, 'Activity', activityFilter(args.filter), args),
  conflicts: (_parent, args, context) =>
    conflictPage(context.links, context.loaders, args.open ?? null, pageSizeOf(args.first), args.after ?? null),
};
