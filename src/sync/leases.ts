import type { Collection, Db } from 'mongodb';

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
  acquiredAt: Date;
}

/**
 * Ownership of a feed by one sync process at a time, through one document per feed in MongoDB.
 * A lease is taken when it is free or expired, renewed by its owner, and expires by itself when
 * its owner dies, so another process takes over. Single-document atomic updates only (FerretDB).
 */
export class LeaseStore {
  private readonly leases: Collection<LeaseDocument>;

  constructor(db: Db) {
    this.leases = db.collection<LeaseDocument>('sync_leases');
  }

  /** Takes or renews the lease on `name` for `ttlMs`; true when `owner` holds it afterwards. */
  async acquire(name: string, owner: string, ttlMs: number, now: Date = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const taken = await this.leases.findOneAndUpdate(
      { _id: name, $or: [{ owner }, { expiresAt: { $lt: now } }] },
      { $set: { owner, expiresAt, acquiredAt: now } },
      { returnDocument: 'after' },
    );
    if (taken) return true;
    try {
      await this.leases.insertOne({ _id: name, owner, expiresAt, acquiredAt: now });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false; // someone else holds it, or took it just now
      throw error;
    }
  }

  /** Gives the lease up at once (graceful shutdown), if `owner` still holds it. */
  async release(name: string, owner: string): Promise<void> {
    await this.leases.updateOne({ _id: name, owner }, { $set: { expiresAt: new Date(0) } });
  }

  /** The current holder of every lease, for the status view. */
  async list(): Promise<LeaseDocument[]> {
    return this.leases.find({}).sort({ _id: 1 }).toArray();
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
