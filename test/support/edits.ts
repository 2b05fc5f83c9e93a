import type { CrmofficeRef, CustomerpRef, LinkEntity, LinkKind, LinkStore } from '../../src/links/index.js';
import type { SystemInput, SystemRecord } from '../../src/mappings/index.js';
import type { SystemApi } from '../../src/upstreams/index.js';
import { bySeededRecord } from './seeded-order.js';

/** A linked pair: a live link with both sides. */
export interface Pair {
  linkId: string;
  customerp: CustomerpRef;
  crmoffice: CrmofficeRef;
}

/** The live, fully linked pairs of an entity (optionally of one kind), in the order of their seeded records (bySeededRecord). */
export async function pairsOf(store: LinkStore, entity: LinkEntity, kind?: LinkKind): Promise<Pair[]> {
  const pairs: Pair[] = [];
  let after: string | null = null;
  do {
    const page = await store.page({ entity, filter: kind ? { kind } : {}, first: 500, after });
    for (const link of page.links) {
      if (link.customerp && link.crmoffice && link.state === 'IN_SYNC')
        pairs.push({ linkId: link._id, customerp: link.customerp, crmoffice: link.crmoffice });
    }
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return pairs.sort(bySeededRecord);
}

/** Edits a record directly in its system, as a user of that system would (with its current token). */
export async function editRecord<Type extends string>(
  api: SystemApi<Type>,
  type: Type,
  id: string,
  input: SystemInput,
): Promise<SystemRecord> {
  const [record] = await api.getMany(type, [id]);
  if (!record) throw new Error(`${api.system} has no ${type} ${id}`);
  return api.update(type, id, input, api.tokenOf(record));
}

/** One record as its system holds it now. */
export async function readRecord<Type extends string>(
  api: SystemApi<Type>,
  type: Type,
  id: string,
): Promise<Record<string, unknown>> {
  const [record] = await api.getMany(type, [id]);
  if (!record) throw new Error(`${api.system} has no ${type} ${id}`);
  return record as unknown as Record<string, unknown>;
}

/** The feed cursor after the newest change of `type` (null when the feed is empty). */
export async function feedEnd<Type extends string>(api: SystemApi<Type>, type: Type): Promise<string | null> {
  let cursor: string | null = null;
  for (;;) {
    const page = await api.changes(type, cursor, 1000);
    cursor = page.cursor;
    if (!page.hasMore) return cursor;
  }
}

/** How many changes each record of `type` has had since `cursor`, as `{ id: count }`. */
export async function changesSince<Type extends string>(
  api: SystemApi<Type>,
  type: Type,
  cursor: string | null,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (;;) {
    const page = await api.changes(type, cursor, 1000);
    for (const item of page.items) counts[item.id] = (counts[item.id] ?? 0) + 1;
    cursor = page.cursor;
    if (!page.hasMore) return counts;
  }
}
