import type { UpstreamRejectedError } from '../errors.js';
import { StaleLinkVersionError, storedChanges, type Link, type LinkChanges, type LinkStore } from '../links/index.js';
import { logger } from '../logger.js';
import type { ReferenceIndex } from '../reconcile/index.js';

/**
 * Whether saving `changes` would change `link`: some field differs (lastSyncedAt aside, it moves on
 * every save), or the link was never synced. Fields are compared as JSON, in the form they are stored.
 */
export function needsSave(link: Link, changes: LinkChanges): boolean {
  const stored = storedChanges(changes);
  const differs = (Object.keys(stored) as (keyof LinkChanges)[]).some(
    (key) => key !== 'lastSyncedAt' && JSON.stringify(stored[key]) !== JSON.stringify(link[key]),
  );
  return differs || !link.lastSyncedAt;
}

/** Saves `changes` (and a new lastSyncedAt) if needsSave; returns whether it wrote. Stale versions propagate. */
export async function saveLink(
  links: LinkStore,
  link: Link,
  changes: LinkChanges,
  refs?: ReferenceIndex,
): Promise<boolean> {
  if (!needsSave(link, changes)) return false;
  const saved = await links.update(link._id, link.version, { ...changes, lastSyncedAt: new Date() });
  refs?.remember(saved);
  return true;
}

/** Logs that a system refused a write for good and the link (`linkId`, or one still to be inserted) is marked ERROR. */
export function logRefusal(error: UpstreamRejectedError, linkId: string | null): void {
  logger.warn(
    { link: linkId, system: error.system, code: error.upstreamCode, field: error.field },
    'write refused by a system; link marked ERROR',
  );
}

/** Marks `link` ERROR after a system refused a write for good; a link moved meanwhile is left to its mover. */
export async function markLinkError(links: LinkStore, link: Link, error: UpstreamRejectedError): Promise<void> {
  logRefusal(error, link._id);
  try {
    await links.update(link._id, link.version, { state: 'ERROR', reason: error.message });
  } catch (cause) {
    if (!(cause instanceof StaleLinkVersionError)) throw cause;
  }
}
