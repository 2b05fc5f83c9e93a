/** How many deletes one pass may apply to one entity's links (docs/decisions.md, "Deletes"). */
export interface MassDeletePolicy {
  /** Share of the entity's links one pass may delete beyond the allowance. */
  readonly share: number;
  /** Deletes per feed and pass that are always allowed, whatever the share (small tables). */
  readonly allowance: number;
}

/** The mass-delete guard stopped a feed; nothing was deleted. */
export class MassDeleteGuardError extends Error {
  constructor(
    readonly feed: string,
    readonly deletes: number,
    readonly links: number,
    share: number,
  ) {
    super(
      `mass-delete guard: ${deletes} of ${links} links of ${feed} would be deleted in one pass (more than ${Math.round(share * 100)} %); nothing deleted`,
    );
    this.name = 'MassDeleteGuardError';
  }
}

/** Whether `planned` deletes are within the allowance, so the guard needs no link count to allow them. */
export function withinAllowance(planned: number, policy: MassDeletePolicy): boolean {
  return planned <= policy.allowance;
}

/**
 * The guard's decision on `planned` deletes of `feed` in one pass, out of `total` links of its entity:
 * null to go ahead, or the error that stops the feed (beyond the allowance and more than the share).
 */
export function massDeleteRefusal(
  feed: string,
  planned: number,
  total: number,
  policy: MassDeletePolicy,
): MassDeleteGuardError | null {
  if (withinAllowance(planned, policy) || planned <= policy.share * total) return null;
  return new MassDeleteGuardError(feed, planned, total, policy.share);
}

/** The policy, and the deletes each feed has applied in the current pass (a feed's batches add up). */
export class MassDeleteGuard {
  private readonly applied = new Map<string, number>();

  constructor(readonly policy: MassDeletePolicy) {}

  /** Starts a pass: every feed's count goes back to zero. */
  startPass(): void {
    this.applied.clear();
  }

  /** Deletes `feed` has applied in this pass. */
  appliedBy(feed: string): number {
    return this.applied.get(feed) ?? 0;
  }

  /** Counts one delete `feed` applied. */
  count(feed: string): void {
    this.applied.set(feed, this.appliedBy(feed) + 1);
  }
}
