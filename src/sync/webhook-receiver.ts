import { MongoServerError, type Collection, type Db } from 'mongodb';
import type { SystemName } from '../errors.js';
import { logger } from '../logger.js';
import { SIGNATURE_TOLERANCE_S, verifyWebhook } from '../webhook-signature.js';

/** Signatures accepted in the last tolerance window: a second delivery of one is a replay. */
export const WEBHOOK_DELIVERIES_COLLECTION = 'webhook_deliveries';

/** What the receiver answers; the HTTP layer sends it as is. */
export interface WebhookAnswer {
  status: 202 | 401 | 404;
  body: { accepted: true } | { error: string };
}

export interface WebhookReceiverOptions {
  db: Db;
  /** Each system's shared secret; a system without one has no endpoint (404). Never logged. */
  secrets: Partial<Record<SystemName, string>>;
  /** Runs the sync pass now (SyncWorker.wake). */
  wake: () => void;
  /** @default Date.now */
  now?: () => number;
}

interface DeliveryDocument {
  _id: string;
  at: Date;
}

/**
 * `POST /webhooks/<system>`: a signed notification that a system changed something. It is only a
 * hint: an accepted one wakes the sync pass, which reads the system's change feed from its cursor as
 * every pass does, so a lost notification costs only the wait for the next poll and a forged or
 * replayed one can neither skip a change nor invent one. The body is never read for content.
 *
 * A replay is refused across every process sharing the database: the accepted signature is
 * inserted with its digest as `_id`, and a second insert of it fails with E11000 (the embedded
 * engine has no TTL indexes, so signatures older than the window are deleted here, at most once a
 * window).
 */
export class WebhookReceiver {
  private readonly deliveries: Collection<DeliveryDocument>;
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(private readonly options: WebhookReceiverOptions) {
    this.deliveries = options.db.collection<DeliveryDocument>(WEBHOOK_DELIVERIES_COLLECTION);
    this.now = options.now ?? Date.now;
  }

  /** Whether the system has an endpoint (a secret). */
  serves(system: SystemName): boolean {
    return this.options.secrets[system] !== undefined;
  }

  async receive(system: SystemName, signature: string | undefined, rawBody: string): Promise<WebhookAnswer> {
    const secret = this.options.secrets[system];
    if (secret === undefined) return { status: 404, body: { error: `no webhook endpoint for ${system}` } };
    const now = this.now();
    const verdict = verifyWebhook(secret, signature, rawBody, Math.floor(now / 1000));
    if (!verdict.ok) {
      logger.warn({ system, reason: verdict.reason }, 'webhook refused');
      return { status: 401, body: { error: `signature ${verdict.reason}` } };
    }
    try {
      await this.deliveries.insertOne({ _id: `${system}:${verdict.digest}`, at: new Date(now) });
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
      logger.warn({ system, reason: 'replayed' }, 'webhook refused');
      return { status: 401, body: { error: 'signature replayed' } };
    }
    this.options.wake();
    this.sweep(now);
    return { status: 202, body: { accepted: true } };
  }

  /** Forgets signatures too old to be accepted again anyway (their timestamps are refused as stale). */
  private sweep(now: number): void {
    const windowMs = 2 * SIGNATURE_TOLERANCE_S * 1000;
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    void this.deliveries
      .deleteMany({ at: { $lt: new Date(now - windowMs) } })
      .catch((error: unknown) => logger.warn({ err: error }, 'could not forget old webhook signatures'));
  }
}
