import type { Collection, Db } from 'mongodb';

/** Where one feed stands, kept in MongoDB so a restart resumes instead of starting over. */
export interface FeedCursorDocument {
  /** e.g. `customerp:EMPLOYEE`, `crmoffice:CONTACTS`. */
  _id: string;
  system: 'CUSTOMERP' | 'CRMOFFICE';
  entity: string;
  /** The system's opaque cursor after the last applied change; null = from the beginning. */
  cursor: string | null;
  lastRunAt: Date | null;
  /** Time of the newest change applied. */
  lastChangeAt: Date | null;
  /** Milliseconds between the newest applied change being made and it being applied. */
  lagMs: number | null;
  /** Changes applied through this feed since it was created. */
  applied: number;
  /** Why the last run stopped early (upstream down, mass-delete guard), or null. */
  blockedReason: string | null;
}

export class FeedCursorStore {
  private readonly cursors: Collection<FeedCursorDocument>;

  constructor(db: Db) {
    this.cursors = db.collection<FeedCursorDocument>('sync_cursors');
  }

  async get(id: string): Promise<FeedCursorDocument | null> {
    return this.cursors.findOne({ _id: id });
  }

  async list(): Promise<FeedCursorDocument[]> {
    return this.cursors.find({}).sort({ _id: 1 }).toArray();
  }

  /** Records progress; called only after the changes up to `cursor` are applied. */
  async advance(
    feed: Pick<FeedCursorDocument, '_id' | 'system' | 'entity'>,
    progress: { cursor: string; applied: number; lastChangeAt: Date | null; now: Date },
  ): Promise<void> {
    const set: Partial<FeedCursorDocument> = {
      system: feed.system,
      entity: feed.entity,
      cursor: progress.cursor,
      lastRunAt: progress.now,
      blockedReason: null,
    };
    if (progress.lastChangeAt) {
      set.lastChangeAt = progress.lastChangeAt;
      set.lagMs = Math.max(0, progress.now.getTime() - progress.lastChangeAt.getTime());
    }
    await this.cursors.updateOne(
      { _id: feed._id },
      { $set: set, $inc: { applied: progress.applied } },
      { upsert: true },
    );
  }

  /** Records a run that stopped early without moving the cursor. */
  async block(feed: Pick<FeedCursorDocument, '_id' | 'system' | 'entity'>, reason: string, now: Date): Promise<void> {
    await this.cursors.updateOne(
      { _id: feed._id },
      { $set: { system: feed.system, entity: feed.entity, lastRunAt: now, blockedReason: reason } },
      { upsert: true },
    );
  }
}
