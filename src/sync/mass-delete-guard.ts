import type { Link, LinkStore } from '../links/index.js';

/**
 * How many deletes of one entity go ahead without an operator (docs/operations.md, "Held deletes"),
 * counted over a sliding window so that deletes spread over several passes add up.
 */
export interface MassDeletePolicy {
  /** Share of the entity's links that may be deleted within the window beyond the allowance. */
  readonly share: number;
  /** Deletes per entity and window that always go ahead, whatever the share (small tables). */
  readonly allowance: number;
  /** The window deletes are counted over, in milliseconds. */
  readonly windowMs: number;
}

export const DEFAULT_MASS_DELETE_POLICY: MassDeletePolicy = { share: 0.2, allowance: 2, windowMs: 10 * 60_000 };

/** The guard's decision on a batch of deletes: apply them, or hold them for an operator. */
export type DeleteDecision = 'apply' | 'hold';

/**
 * Whether `planned` deletes go ahead, given `recent` deletes of the entity within the window and its
 * `live` links now: within the allowance always, else while the window's deletes stay within the
 * share of the links the window started with (live + recent).
 */
export function deleteDecision(
  planned: number,
  recent: number,
  live: number,
  policy: MassDeletePolicy,
): DeleteDecision {
  const inWindow = recent + planned;
  if (inWindow <= policy.allowance) return 'apply';
  return inWindow <= policy.share * (live + recent) ? 'apply' : 'hold';
}

/**
 * The mass-delete guard. It holds a feed's deletes, never its other changes; once a feed holds
 * deletes, its later deletes wait behind them (an operator approves or discards them as one).
 * The state lives on the links (`heldDelete`, `deletedAt`), so every sync process sees the same.
 */
export class MassDeleteGuard {
  constructor(readonly policy: MassDeletePolicy) {}

  /** Decides `planned` deletes of `entity` seen on `feed`. At most three queries, only when there are deletes. */
  async decide(
    links: LinkStore,
    feed: string,
    entity: Link['entity'],
    planned: number,
    now: Date,
  ): Promise<DeleteDecision> {
    if ((await links.findHeldDeletes(feed, 1)).length > 0) return 'hold';
    const recent = await links.countDeletedSince(entity, new Date(now.getTime() - this.policy.windowMs));
    if (recent + planned <= this.policy.allowance) return 'apply';
    return deleteDecision(planned, recent, await links.count({ entity }), this.policy);
  }
}
