import type { SystemName } from '../errors.js';
import { CRMOFFICE_FEEDS, CUSTOMERP_FEEDS, type CrmofficeType, type CustomerpType } from '../upstreams/index.js';

/** A change feed: one record type of one system. */
export type Feed =
  { id: string; system: 'CUSTOMERP'; type: CustomerpType } | { id: string; system: 'CRMOFFICE'; type: CrmofficeType };

/** The id of a system's feed of `type` (`customerp:EMPLOYEE`, `crmoffice:CONTACTS`): cursor `_id`, lease name, metric label. */
export function feedIdOf(system: SystemName, type: string): string {
  const name = system === 'CUSTOMERP' ? CUSTOMERP_FEEDS[type as CustomerpType] : CRMOFFICE_FEEDS[type as CrmofficeType];
  if (!name) throw new TypeError(`${system} has no feed of ${type}`);
  return `${system.toLowerCase()}:${name}`;
}

function feed(system: 'CUSTOMERP', type: CustomerpType): Feed;
function feed(system: 'CRMOFFICE', type: CrmofficeType): Feed;
function feed(system: SystemName, type: string): Feed {
  return { id: feedIdOf(system, type), system, type } as Feed;
}

/**
 * Feeds in pass order: targets of references first (products and employees before projects,
 * companies and contacts before activities), Customerp before Crmoffice so that records that already
 * exist on both sides are matched by identity key before Crmoffice-only half links are made.
 */
export const FEEDS: readonly Feed[] = [
  feed('CUSTOMERP', 'Product'),
  feed('CUSTOMERP', 'Employee'),
  feed('CUSTOMERP', 'Contact'),
  feed('CUSTOMERP', 'Project'),
  feed('CRMOFFICE', 'Company'),
  feed('CRMOFFICE', 'Contact'),
  feed('CRMOFFICE', 'Activity'),
];

/** The pseudo-feed that retries links left PENDING (deferred references, interrupted creates) at the end of each pass. */
export const PENDING_FEED = 'pending';
