import { logger } from '../../logger.js';
import { onChangesRecorded, type RecordChangeLog, type RecordedChange } from '../../links/index.js';

export interface RecordChangeFeedOptions {
  /** How often the feed reads the change log while this process has subscribers. @default 250 */
  pollMs?: number;
  /**
   * How far before its last read each read reaches: a change is stamped when its writer records it,
   * so one stamped earlier can land after a later one (another process, a slow insert). Changes read
   * twice are told apart by their id. @default 2000
   */
  overlapMs?: number;
  /** Events a subscriber may have waiting; one that falls further behind is ended (its client can subscribe again). @default 1000 */
  maxWaiting?: number;
}

/** Which changes a subscriber wants. */
export type ChangeFilter = (change: RecordedChange) => boolean;

interface Subscriber {
  wanted: ChangeFilter;
  /** Changes recorded before it subscribed are not its. */
  since: number;
  waiting: RecordedChange[];
  /** The pending next() while nothing waits. */
  wake: ((result: IteratorResult<RecordedChange>) => void) | null;
  ended: boolean;
}

/**
 * The changes of unified records, for this process's subscribers, read from the change log that every
 * gateway process shares in MongoDB (src/links/record-changes.ts): an event raised by any process
 * reaches the subscribers of all of them with no broker besides the database. While this process has
 * subscribers it reads the log every `pollMs` (at once when it records changes itself): one indexed
 * find per read, whatever the number of subscribers; with none, it reads nothing.
 */
export class RecordChangeFeed {
  private readonly pollMs: number;
  private readonly overlapMs: number;
  private readonly maxWaiting: number;
  private readonly subscribers = new Set<Subscriber>();
  /** Ids of the changes already handed out, with their stamps, kept while a read can still return them. */
  private readonly seen = new Map<string, number>();
  /** When the last read started (this process's clock): the next reads from overlapMs before it. */
  private readFrom = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopListening: (() => void) | null = null;

  constructor(
    private readonly log: RecordChangeLog,
    options: RecordChangeFeedOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 250;
    this.overlapMs = options.overlapMs ?? 2000;
    this.maxWaiting = options.maxWaiting ?? 1000;
  }

  /** How many subscriptions this process serves now. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * The changes recorded from now on that `wanted` accepts, oldest first, until the iterator is
   * returned (the client completes or disconnects).
   */
  subscribe(wanted: ChangeFilter): AsyncIterableIterator<RecordedChange> {
    const subscriber: Subscriber = { wanted, since: Date.now(), waiting: [], wake: null, ended: false };
    this.subscribers.add(subscriber);
    if (this.subscribers.size === 1) this.start(subscriber.since);
    const end = (): IteratorResult<RecordedChange> => {
      this.remove(subscriber);
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<RecordedChange> = {
      next: () => {
        const change = subscriber.waiting.shift();
        if (change) return Promise.resolve({ done: false, value: change });
        if (subscriber.ended) return Promise.resolve(end());
        return new Promise((resolve) => (subscriber.wake = resolve));
      },
      return: () => Promise.resolve(end()),
      throw: (error: unknown) => {
        end();
        return Promise.reject(error);
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Ends every subscription and stops reading (the gateway is closing). */
  close(): void {
    for (const subscriber of [...this.subscribers]) {
      subscriber.ended = true;
      this.remove(subscriber);
    }
  }

  private start(now: number): void {
    this.readFrom = now;
    this.stopListening = onChangesRecorded(() => this.readSoon());
    this.timer = setInterval(() => this.readSoon(), this.pollMs);
    this.timer.unref();
  }

  private remove(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    subscriber.wake?.({ done: true, value: undefined });
    subscriber.wake = null;
    if (this.subscribers.size > 0) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopListening?.();
    this.stopListening = null;
    this.seen.clear();
  }

  /** One read at a time; a wake-up during a read makes one more read after it. */
  private readSoon(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.read()
      .catch((error: unknown) => logger.warn({ err: error }, 'could not read the record change log; trying again'))
      .finally(() => {
        this.reading = null;
        if (this.readAgain && this.subscribers.size > 0) {
          this.readAgain = false;
          this.readSoon();
        }
      });
  }

  private async read(): Promise<void> {
    const startedAt = Date.now();
    const changes = await this.log.recordedAfter(new Date(this.readFrom - this.overlapMs));
    this.readFrom = startedAt;
    for (const change of changes) {
      const id = change._id.toHexString();
      if (this.seen.has(id)) continue;
      this.seen.set(id, change.at.getTime());
      for (const subscriber of this.subscribers) this.deliver(subscriber, change);
    }
    const forgettable = startedAt - 2 * this.overlapMs;
    for (const [id, at] of this.seen) if (at < forgettable) this.seen.delete(id);
  }

  private deliver(subscriber: Subscriber, change: RecordedChange): void {
    if (change.at.getTime() < subscriber.since || !subscriber.wanted(change)) return;
    if (subscriber.wake) {
      const wake = subscriber.wake;
      subscriber.wake = null;
      wake({ done: false, value: change });
      return;
    }
    if (subscriber.waiting.length >= this.maxWaiting) {
      logger.warn(
        { waiting: subscriber.waiting.length },
        'a subscriber fell too far behind; its subscription is ended',
      );
      subscriber.ended = true;
      this.remove(subscriber);
      return;
    }
    subscriber.waiting.push(change);
  }
}
