/** What one sync pass did to one entity (a feed's record type). */
export interface EntitySummary {
  /** Counterparts created in the other system. */
  created: number;
  /** Pairs linked by identity key (no record created). */
  linked: number;
  /** Crmoffice-only records given a half link (they stay Crmoffice-only). */
  tracked: number;
  /** Pairs where at least one side was written. */
  updated: number;
  /** Records whose canonical values already agreed (echoes included): nothing written. */
  unchanged: number;
  /** Conflicts recorded (same field edited on both sides, or an ambiguous identity match). */
  conflicts: number;
  /** Records waiting for a referenced record to be linked. */
  deferred: number;
  /** Counterparts deleted. */
  deleted: number;
  /** Deletes the mass-delete guard held for an operator. */
  held: number;
  /** Records the other system refused for good (see the link's ERROR state). */
  errors: number;
}

export interface FeedSummary extends EntitySummary {
  feed: string;
  /** Changes read from the feed. */
  changes: number;
  /** Why the feed stopped early (system unavailable, lease held elsewhere, an error in the feed), if it did. */
  blocked: string | null;
}

export interface SyncSummary {
  startedAt: string;
  durationMs: number;
  feeds: FeedSummary[];
  totals: EntitySummary;
}

export function emptyEntitySummary(): EntitySummary {
  return {
    created: 0,
    linked: 0,
    tracked: 0,
    updated: 0,
    unchanged: 0,
    conflicts: 0,
    deferred: 0,
    deleted: 0,
    held: 0,
    errors: 0,
  };
}

/** Adds `from`'s counts to `into`'s (only the EntitySummary counts: a FeedSummary's other fields stay). */
export function addSummaries(into: EntitySummary, from: EntitySummary): void {
  for (const key of Object.keys(emptyEntitySummary()) as (keyof EntitySummary)[]) into[key] += from[key];
}
