import type { Collection, Db } from 'mongodb';

/** One claim on a lease: the lease's holder is its newest claim, while that has not expired. */
interface LeaseClaim {
  /** `<name>#<seq>`, seq zero-padded: unique, so two processes can never make the same claim. */
  _id: string;
  name: string;
  seq: number;
  owner: string;
  expiresAt: Date;
  claimedAt: Date;
}

export interface LeaseHolder {
  name: string;
  owner: string;
  expiresAt: Date;
}

/** Claims kept per lease (older ones are removed now and then). */
const KEPT_CLAIMS = 5;

/**
 * Ownership of a feed by one sync process at a time, kept in MongoDB. A lease is taken when it is
 * free or expired, renewed by its owner, and expires by itself when its owner dies.
 *
 * Taking a lease is an insert of the next claim under a unique `_id`, never a conditional update:
 * FerretDB 1.24 (SQLite) reads and writes a conditional update in two steps without a transaction,
 * so two processes could both "win" a findOneAndUpdate; a duplicate key on insert is decided once.
 * Renewing touches only the owner's own claim, by `_id`.
 */
export class LeaseStore {
  private readonly claims: Collection<LeaseClaim>;

  constructor(db: Db) {
    this.claims = db.collection<LeaseClaim>('sync_lease_claims');
  }

  /** Takes or renews the lease on `name` for `ttlMs`; true when `owner` holds it afterwards. */
  async acquire(name: string, owner: string, ttlMs: number, now: Date = new Date()): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const current = await this.newest(name);
    if (current && current.expiresAt > now) {
      if (current.owner !== owner) return false;
      await this.claims.updateOne({ _id: current._id }, { $set: { expiresAt } });
      // A claim made meanwhile can only follow an expired lease, which ours was not; check anyway.
      return (await this.newest(name))?._id === current._id;
    }
    const seq = (current?.seq ?? 0) + 1;
    try {
      await this.claims.insertOne({ _id: claimId(name, seq), name, seq, owner, expiresAt, claimedAt: now });
    } catch (error) {
      if (isDuplicateKey(error)) return false; // another process claimed this turn first
      throw error;
    }
    if (seq > KEPT_CLAIMS) await this.claims.deleteMany({ name, seq: { $lte: seq - KEPT_CLAIMS } });
    return true;
  }

  /** Gives the lease up at once (graceful shutdown), if `owner` still holds it. */
  async release(name: string, owner: string): Promise<void> {
    const current = await this.newest(name);
    if (current && current.owner === owner) await this.claims.updateOne({ _id: current._id }, { $set: { expiresAt: new Date(0) } });
  }

  /** The current holder of every lease, for the status view. */
  async list(): Promise<LeaseHolder[]> {
    const claims = await this.claims.find({}).sort({ name: 1, seq: -1 }).toArray();
    const newest = new Map<string, LeaseClaim>();
    for (const claim of claims) if (!newest.has(claim.name)) newest.set(claim.name, claim);
    return [...newest.values()].map(({ name, owner, expiresAt }) => ({ name, owner, expiresAt }));
  }

  private async newest(name: string): Promise<LeaseClaim | null> {
    const [claim] = await this.claims.find({ name }).sort({ seq: -1 }).limit(1).toArray();
    return claim ?? null;
  }
}

function claimId(name: string, seq: number): string {
  return `${name}#${String(seq).padStart(12, '0')}`;
}

export function isDuplicateKey(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 11000;
}
