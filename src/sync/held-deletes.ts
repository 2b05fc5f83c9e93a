import { BadUserInputError } from '../errors.js';
import { asOneChange, sideFieldOf, type Link, type LinkStore } from '../links/index.js';
import { logger } from '../logger.js';
import { FEEDS, type Feed } from '../reconcile/index.js';
import { otherSystem, type SystemApis } from '../upstreams/index.js';
import { applyDelete } from './deletes.js';

/** Held deletes are released this many links at a time. */
const PAGE = 200;

/**
 * What an operator does with deletes the mass-delete guard holds (docs/operations.md): approve them
 * (the counterparts are deleted, the links marked deleted) or discard them (nothing is deleted on
 * either side, nothing restored: each link keeps the surviving record as a half link of its own).
 */
export class HeldDeletes {
  constructor(private readonly ctx: { links: LinkStore; apis: SystemApis }) {}

  /** Held deletes per feed id (feeds that hold none are absent). */
  counts(): Promise<Map<string, number>> {
    return this.ctx.links.countHeldDeletes();
  }

  /** Applies every delete `feed` holds; returns how many counterparts were deleted. */
  async approve(feed: Feed): Promise<number> {
    const summary = { deleted: 0 };
    await this.eachHeld(feed, (link) => applyDelete(this.ctx, link, feed.system, summary));
    logger.info({ feed: feed.id, deleted: summary.deleted }, 'held deletes approved');
    return summary.deleted;
  }

  /** Drops every delete `feed` holds; returns how many links were released. */
  async discard(feed: Feed): Promise<number> {
    let released = 0;
    await this.eachHeld(feed, async (link) => {
      await this.keepSurvivor(link, feed.system);
      released += 1;
    });
    logger.info({ feed: feed.id, released }, 'held deletes discarded');
    return released;
  }

  /**
   * The link without the deleted side: a half link of the surviving record, in sync with nothing to
   * compare against. A surviving Customerp record is marked detached so no counterpart is created
   * for it again; a surviving Crmoffice contact becomes Crmoffice-only.
   */
  private async keepSurvivor(link: Link, deletedOn: Feed['system']): Promise<void> {
    const survivor = otherSystem(deletedOn);
    if (!link[sideFieldOf(survivor)]) {
      // Nothing survives on the other side: the delete has nothing left to do.
      await this.ctx.links.update(link._id, link.version, {
        heldDelete: null,
        deletedAt: new Date(),
        state: 'IN_SYNC',
      });
      return;
    }
    const detached = await this.ctx.links.detachSide(link._id, link.version, deletedOn);
    await this.ctx.links.update(detached._id, detached.version, {
      heldDelete: null,
      state: 'IN_SYNC',
      snapshot: null,
      detached: survivor === 'CUSTOMERP',
      ...(survivor === 'CRMOFFICE' && link.entity === 'Contact' && { kind: 'CRM_ONLY' as const }),
    });
  }

  private async eachHeld(feed: Feed, act: (link: Link) => Promise<void>): Promise<void> {
    for (;;) {
      const page = await this.ctx.links.findHeldDeletes(feed.id, PAGE);
      // One change per record for subscribers, however many link writes the act takes.
      for (const link of page) await asOneChange(() => act(link));
      if (page.length < PAGE) return;
    }
  }
}

/** The feed of `system` whose record type is `entity` (as FeedStatus names it); BAD_USER_INPUT naming `entity` otherwise. */
export function feedNamed(system: Feed['system'], entity: string): Feed {
  const feed = FEEDS.find((f) => f.system === system && f.type === entity);
  if (!feed) {
    const known = FEEDS.filter((f) => f.system === system).map((f) => f.type);
    throw new BadUserInputError(`${system} has no feed of ${entity}; expected one of ${known.join(', ')}`, 'entity');
  }
  return feed;
}
