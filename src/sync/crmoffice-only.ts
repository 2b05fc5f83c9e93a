import { DuplicateLinkError, type LinkKind, type NewLink } from '../links/index.js';
import { crmofficeOnly, toCanonical, unifiedTypeOfCollection, type CrmofficeRecord } from '../mappings/index.js';
import { linkKeysOf, type ReferenceIndex } from '../reconcile/index.js';
import type { CrmofficeType } from '../upstreams/index.js';
import { saveLink } from './link-writes.js';
import type { EntitySummary } from './summary.js';
import type { SyncContext } from './sync-context.js';

/** The kind of a Crmoffice-only record's link: only contacts have kinds. */
export const CRMOFFICE_ONLY_KIND: Readonly<Record<CrmofficeType, LinkKind | null>> = {
  Contact: 'CRM_ONLY',
  Company: null,
  Activity: null,
};

/**
 * Crmoffice records with no Customerp counterpart: a half link keeps their unified view current
 * (snapshot and keys, IN_SYNC). Counts `tracked` for a link made or changed, `unchanged` otherwise.
 */
export async function trackCrmofficeOnly(
  ctx: SyncContext,
  type: CrmofficeType,
  records: readonly CrmofficeRecord[],
  refs: ReferenceIndex,
  summary: EntitySummary,
): Promise<void> {
  const mapping = crmofficeOnly[type];
  await refs.loadReferencesOf(mapping, 'CRMOFFICE', records);
  const missing: NewLink[] = [];
  for (const record of records) {
    const values = toCanonical(mapping, 'CRMOFFICE', record, refs).values;
    const keys = linkKeysOf(mapping, values, record, refs);
    const existing = refs.linkOf('CRMOFFICE', type, record.id);
    if (existing) {
      if (await saveLink(ctx.links, existing, { snapshot: values, keys, state: 'IN_SYNC', lastSyncedAt: new Date() }))
        summary.tracked += 1;
      else summary.unchanged += 1;
      continue;
    }
    missing.push({
      entity: unifiedTypeOfCollection[type],
      crmoffice: { type, id: record.id },
      kind: CRMOFFICE_ONLY_KIND[type],
      snapshot: values,
      keys,
      state: 'IN_SYNC',
      lastSyncedAt: new Date(),
    });
  }
  // The batch lookup (refs) has just found no link for these: one insert for all of them; a racing
  // process's link still wins through the unique side key, and is the one kept.
  for (const [i, created] of (await ctx.links.createMany(missing)).entries()) {
    if (!(created instanceof DuplicateLinkError)) {
      refs.remember(created);
      summary.tracked += 1;
      continue;
    }
    const winner = await ctx.links.findByRef('CRMOFFICE', missing[i]!.crmoffice!);
    if (winner) refs.remember(winner);
  }
}
