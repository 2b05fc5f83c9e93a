import type { FeedCursorDocument } from '../reconcile/index.js';

/** One minute of sync, as the status page plots it. */
export interface SyncSample {
  /** Start of the minute, ISO 8601 UTC. */
  minute: string;
  /** The largest lag any feed reported during the minute (ms); null when no feed had one. */
  lagMs: number | null;
  /** Changes applied during the minute, all feeds together. */
  applied: number;
}

export interface SyncHistoryOptions {
  /** How many minutes are kept. @default 60 */
  minutes?: number;
}

interface Bucket {
  /** Epoch ms of the minute's start. */
  start: number;
  lagMs: number | null;
  applied: number;
}

const MINUTE_MS = 60_000;

/**
 * A ring buffer of per-minute sync samples for the last hour, fed with the feed cursor documents
 * (after every local sync pass, and whenever the status page asks). Applied changes are the growth
 * of each cursor's `applied` total since the previous look, so the history is right whichever
 * process ran the passes; the first look only sets the baseline. In memory: a restart starts afresh.
 */
export class SyncHistory {
  private readonly minutes: number;
  private readonly buckets: Bucket[] = [];
  /** Each feed's `applied` total at the previous look; undefined before the first. */
  private seen: Map<string, number> | undefined;

  constructor(options: SyncHistoryOptions = {}) {
    this.minutes = options.minutes ?? 60;
  }

  /** Records what the cursors say at `at`. */
  record(cursors: readonly FeedCursorDocument[], at: Date = new Date()): void {
    const first = this.seen === undefined;
    const seen = this.seen ?? new Map<string, number>();
    let applied = 0;
    let lagMs: number | null = null;
    for (const cursor of cursors) {
      const total = cursor.applied ?? 0;
      // A feed that appears after the baseline was taken counts from zero: it is new, not unseen.
      if (!first) applied += Math.max(0, total - (seen.get(cursor._id) ?? 0));
      seen.set(cursor._id, total);
      if (typeof cursor.lagMs === 'number') lagMs = Math.max(lagMs ?? 0, cursor.lagMs);
    }
    this.seen = seen;
    const bucket = this.bucketAt(at.getTime());
    bucket.applied += applied;
    if (lagMs !== null) bucket.lagMs = Math.max(bucket.lagMs ?? 0, lagMs);
  }

  /** The minutes of the last hour that have samples, oldest first. */
  samples(at: Date = new Date()): SyncSample[] {
    const oldest = minuteOf(at.getTime()) - (this.minutes - 1) * MINUTE_MS;
    return this.buckets
      .filter((bucket) => bucket.start >= oldest)
      .map((bucket) => ({
        minute: new Date(bucket.start).toISOString(),
        lagMs: bucket.lagMs,
        applied: bucket.applied,
      }));
  }

  private bucketAt(time: number): Bucket {
    const start = minuteOf(time);
    const last = this.buckets.at(-1);
    if (last && last.start === start) return last;
    // A clock that stepped back: fold the sample into the newest minute rather than reorder.
    if (last && last.start > start) return last;
    const bucket: Bucket = { start, lagMs: null, applied: 0 };
    this.buckets.push(bucket);
    while (this.buckets.length > this.minutes) this.buckets.shift();
    return bucket;
  }
}

function minuteOf(time: number): number {
  return Math.floor(time / MINUTE_MS) * MINUTE_MS;
}
