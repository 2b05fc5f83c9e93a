import { MongoServerError, type Collection, type Db } from 'mongodb';

/** One lease: who holds it until when. The `_id` is the lease's name (a feed id). */
interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
  claimedAt: Date;
}

export interface LeaseHolder {
  name: string;
  owner: string;
  expiresAt: Date;
}

/** The collection of sync leases, one document per feed. */
export const LEASES_COLLECTION = 'sync_leases';

/**
 * Ownership of a feed by one sync process at a time, kept in MongoDB. A lease is taken when it is
 * free or expired, renewed by its owner, and expires by itself when its owner dies.
 *
 * Taking or renewing is one atomic findOneAndUpdate with upsert, filtered on "mine or expired": of
 * any number of processes racing for a free lease exactly one matches or inserts; the others either
 * match nothing (their upsert's insert then collides with the lease's `_id`, E11000) or lose the
 * insert race the same way.
 */
export class LeaseStore {
  private readonly leases: Collection<LeaseDocument>;

  constructor(db: Db) {
    this.leases = db.collection<LeaseDocument>(LEASES_COLLECTION);
  }

  /** Takes or renews the lease on `name` for `ttlMs`; true when `owner` holds it afterwards. */
  async acquire(name: string, owner: string, ttlMs: number, now: Date = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    try {
      const lease = await this.leases.findOneAndUpdate(
        { _id: name, $or: [{ owner }, { expiresAt: { $lte: now } }] },
        { $set: { owner, expiresAt }, $setOnInsert: { claimedAt: now } },
        { upsert: true, returnDocument: 'after' },
      );
      return lease?.owner === owner;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return false; // held by another process
      throw error;
    }
  }

  /** Gives the lease up at once (graceful shutdown), if `owner` still holds it. */
  async release(name: string, owner: string): Promise<void> {
    await this.leases.updateOne({ _id: name, owner }, { $set: { expiresAt: new Date(0) } });
  }

  /** The current holder of every lease, for the status view. */
  async list(): Promise<LeaseHolder[]> {
    const leases = await this.leases.find({}).sort({ _id: 1 }).toArray();
    return leases.map(({ _id, owner, expiresAt }) => ({ name: _id, owner, expiresAt }));
  }
}

/** A sync pass went on writing after its lease was lost; it stops, and the new holder applies the page. */
export class LeaseLostError extends Error {
  constructor(readonly lease: string) {
    super(`sync lease ${lease} lost to another process; this process stopped writing`);
    this.name = 'LeaseLostError';
  }
}

/**
 * A lease this process holds while a pass works: renewed every third of its TTL in the background,
 * and asked before every write (assertHeld). It counts as lost as soon as a renewal finds another
 * owner, or when no renewal has succeeded for a whole TTL (MongoDB unreachable: the lease may have
 * expired and been taken), whichever comes first.
 */
export class HeldLease {
  private validUntil: number;
  private lost = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: LeaseStore,
    readonly name: string,
    private readonly owner: string,
    private readonly ttlMs: number,
    acquiredAt: Date = new Date(),
  ) {
    this.validUntil = acquiredAt.getTime() + ttlMs;
    this.timer = setInterval(() => void this.renew(), Math.max(10, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** Whether the lease is still this process's (as far as it can tell without a round trip). */
  get held(): boolean {
    return !this.lost && Date.now() < this.validUntil;
  }

  /** Throws LeaseLostError unless the lease is still held. */
  assertHeld(): void {
    if (!this.held) throw new LeaseLostError(this.name);
  }

  /** Stops renewing (the pass is done with this lease; the lease itself lives on until released or expired). */
  stop(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.lost) return;
    const at = new Date();
    try {
      if (await this.store.acquire(this.name, this.owner, this.ttlMs, at)) this.validUntil = at.getTime() + this.ttlMs;
      else {
        this.lost = true;
        this.stop();
      }
    } catch {
      // MongoDB unreachable: the lease stands until validUntil, then counts as lost.
    }
  }
}
