import { randomUUID } from 'node:crypto';
import { signWebhook, SIGNATURE_HEADER, WEBHOOK_SECRET_PATTERN } from '../../webhook-signature.js';
import type { ChangeEntry } from './record-store.js';

/** What a subscriber receives for every change a system records. */
export interface ChangeNotification {
  system: string;
  entity: string;
  id: string;
  op: ChangeEntry['op'];
  /** Customerp's concurrency token; Crmoffice sends `etag` instead. */
  version?: number;
  etag?: string;
  at: string;
}

/** One change log a system announces, e.g. Customerp's EMPLOYEE table. */
export interface AnnouncedFeed {
  entity: string;
  log: { readonly changeCount: number; changes: (since: string, limit: number) => { items: ChangeEntry[] } };
  /** The record's token as the system's API names it: `{ version }` or `{ etag }`. */
  token: (entry: ChangeEntry) => Pick<ChangeNotification, 'version' | 'etag'>;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  createdAt: string;
}

export interface WebhookStats {
  /** Deliveries a subscriber answered with 2xx. */
  delivered: number;
  /** Attempts that failed (network error, timeout, non-2xx) and were retried. */
  retried: number;
  /** Deliveries given up after the last attempt. */
  abandoned: number;
}

export interface WebhookDeliveryOptions {
  /** Attempts per delivery, the first included. @default 6 */
  attempts?: number;
  /** Wait before the first retry, doubled after each. @default 200 */
  firstRetryMs?: number;
  /** Bound on one attempt. @default 2000 */
  timeoutMs?: number;
}

/**
 * Subscriptions of one reference system and the deliveries to them. Each delivery runs on its own,
 * after the write that caused it has been answered: a slow or failing subscriber never delays or
 * fails the system's own writes. It is retried with exponential backoff, then given up: the change
 * stays in the change feed, which is what a subscriber must read anyway.
 */
export class WebhookDispatcher {
  private readonly subscriptions = new Map<string, WebhookSubscription & { secret: string }>();
  private readonly pending = new Set<AbortController>();
  private stats: WebhookStats = { delivered: 0, retried: 0, abandoned: 0 };
  private readonly attempts: number;
  private readonly firstRetryMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly system: string,
    options: WebhookDeliveryOptions = {},
  ) {
    this.attempts = options.attempts ?? 6;
    this.firstRetryMs = options.firstRetryMs ?? 200;
    this.timeoutMs = options.timeoutMs ?? 2000;
  }

  /** Adds a subscriber, or answers the existing one for the same URL with its secret replaced. */
  subscribe(input: unknown): WebhookSubscription | string {
    if (typeof input !== 'object' || input === null) return 'body must be a JSON object {url, secret}';
    const { url, secret } = input as Record<string, unknown>;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url)) return 'url must be an http(s) URL';
    if (typeof secret !== 'string' || !WEBHOOK_SECRET_PATTERN.test(secret)) {
      return 'secret must be at least 16 printable ASCII characters without spaces';
    }
    const existing = [...this.subscriptions.values()].find((s) => s.url === url);
    const subscription = existing ?? { id: randomUUID(), url, createdAt: new Date().toISOString(), secret };
    subscription.secret = secret;
    this.subscriptions.set(subscription.id, subscription);
    return publicView(subscription);
  }

  /** The subscribers, never their secrets. */
  list(): WebhookSubscription[] {
    return [...this.subscriptions.values()].map(publicView);
  }

  remove(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  counts(): WebhookStats {
    return { ...this.stats };
  }

  /** Sends the notification to every subscriber, in the background. */
  notify(change: Omit<ChangeNotification, 'system'>): void {
    if (this.subscriptions.size === 0) return;
    const body = JSON.stringify({ system: this.system, ...change });
    for (const subscription of this.subscriptions.values()) void this.deliver(subscription, body);
  }

  /** Stops every retry under way (the server is closing). */
  close(): void {
    for (const controller of this.pending) controller.abort();
    this.pending.clear();
  }

  private async deliver(subscription: { url: string; secret: string }, body: string): Promise<void> {
    const controller = new AbortController();
    this.pending.add(controller);
    try {
      for (let attempt = 1; attempt <= this.attempts && !controller.signal.aborted; attempt++) {
        if (await this.attempt(subscription, body, controller.signal)) {
          this.stats.delivered += 1;
          return;
        }
        if (attempt === this.attempts || controller.signal.aborted) break;
        this.stats.retried += 1;
        await abortableSleep(this.firstRetryMs * 2 ** (attempt - 1), controller.signal);
      }
      this.stats.abandoned += 1;
    } finally {
      this.pending.delete(controller);
    }
  }

  private async attempt(
    subscription: { url: string; secret: string },
    body: string,
    stop: AbortSignal,
  ): Promise<boolean> {
    try {
      // Signed per attempt: a retry carries a fresh timestamp, so a late retry is not refused as stale.
      const signature = signWebhook(subscription.secret, body, Math.floor(Date.now() / 1000));
      const response = await fetch(subscription.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.any([stop, AbortSignal.timeout(this.timeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  }
}

/**
 * Announces what was appended to the feeds since the last call. The reference systems change their
 * stores only inside a request, so calling this after each request announces every change exactly once.
 */
export class FeedAnnouncer {
  private seen = new Map<string, number>();

  constructor(
    private readonly feeds: () => readonly AnnouncedFeed[],
    private readonly dispatcher: WebhookDispatcher,
  ) {
    this.baseline();
  }

  /** What the feeds hold now is not news (the seed, or a reset). */
  baseline(): void {
    this.seen = new Map(this.feeds().map((feed) => [feed.entity, feed.log.changeCount]));
  }

  announce(): void {
    for (const feed of this.feeds()) {
      const from = this.seen.get(feed.entity) ?? 0;
      const count = feed.log.changeCount;
      if (count <= from) continue;
      this.seen.set(feed.entity, count);
      for (const entry of feed.log.changes(String(from), count - from).items) {
        this.dispatcher.notify({ entity: feed.entity, id: entry.id, op: entry.op, ...feed.token(entry), at: entry.at });
      }
    }
  }
}

function publicView({ id, url, createdAt }: WebhookSubscription): WebhookSubscription {
  return { id, url, createdAt };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
