import { isLiveLinkOf, type Link, type LinkEntity } from '../../links/index.js';
import type { GatewayContext } from '../context.js';
import { linkIdOfCursor } from '../ids.js';
import { pageSizeOf, sliceConnection } from '../paging.js';
import type { LinkConnection } from '../model.js';
import type { ChildrenKey } from '../loaders/index.js';

/** Shared by the Contact, Company and Activity resolvers, whose parent is the record's link. */

type FieldResolver<T> = (link: Link, args: unknown, context: GatewayContext) => Promise<T | null>;

/** A unified field: the merged value of `field` (null when the mapping has none); fails when no side could be read. */
export function unifiedString(field: string): FieldResolver<string> {
  return async (link, _args, context) => {
    const value = (await context.views.valuesOf(link))[field];
    return typeof value === 'string' ? value : null;
  };
}

export function unifiedBoolean(field: string): FieldResolver<boolean> {
  return async (link, _args, context) => {
    const value = (await context.views.valuesOf(link))[field];
    return typeof value === 'boolean' ? value : null;
  };
}

/** A reference field (`owner`, `company`): the live link that the merged link id names, or null. */
export function unifiedReference(field: string, entity: LinkEntity): FieldResolver<Link> {
  return async (link, _args, context) => {
    const target = (await context.views.valuesOf(link))[field];
    if (typeof target !== 'string') return null;
    const found = await context.loaders.byId.load(target);
    return isLiveLinkOf(found, entity) ? found : null;
  };
}

/**
 * A nested list (a company's contacts, a contact's activities): the children of every parent of the
 * page come from one MongoDB query (the `children` loader), then each parent's page is cut from its own.
 */
export async function childConnection(
  context: GatewayContext,
  key: ChildrenKey,
  args: { first?: number | null; after?: string | null },
): Promise<LinkConnection> {
  const first = pageSizeOf(args.first);
  const after = linkIdOfCursor(args.after, key.entity);
  return sliceConnection(await context.loaders.children.load(key), first, after);
}

/** A Date from MongoDB (or an ISO string) as the DateTime the schema serves. */
export function isoOf(value: Date | string): string;
export function isoOf(value: Date | string | null | undefined): string | null;
export function isoOf(value: Date | string | null | undefined): string | null {
  if (value == null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}
