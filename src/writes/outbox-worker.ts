import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { LinkStore } from '../links/index.js';
import { logger } from '../logger.js';
import { PeriodicLoop, type LoopPhase } from '../lifecycle/periodic-loop.js';
import { FeedCursorStore } from '../reconcile/index.js';
import type { CrmofficeApi, CustomerpApi } from '../upstreams/index.js';
import { isFinal, type OperationState } from './operation.js';
import { OperationRunner, type OperationRunnerOptions } from './operation-runner.js';
import { DEFAULT_RETENTION_MS, OperationStore } from './operations.js';

export interface OutboxWorkerDependencies {
  db: Db;
  customerp: CustomerpApi;
  crmoffice: CrmofficeApi;
}

export interface OutboxWorkerOptions extends OperationRunnerOptions {
  /** Pause between runs when started on its own (not needed when run after each sync pass). @default 1000 */
  intervalMs?: number;
  /** Operations advanced per run at most, so a run stays bounded. @default 200 */
  batchSize?: number;
  /** How long finished operations, and so idempotency keys, are kept. @default 24 h */
  retentionMs?: number;
  /** How often the retention cleanup runs. @default 10 minutes */
  cleanupEveryMs?: number;
  /** This process's name on the operations it leases. @default host:pid:random */
  owner?: string;
}

export type OutboxWorkerPhase = LoopPhase;

/** What one run did. */
export interface OutboxRunSummary {
  /** Operations taken up. */
  claimed: number;
  /** How those ended the run, by state (`RECORDED`, `CUSTOMERP_DONE`… are still waiting). */
  byState: Partial<Record<OperationState, number>>;
  /** Finished operations deleted by the retention cleanup. */
  expired: number;
}

/**
 * Resumes outbox operations left unfinished by a crash, an outage or a rate limit, oldest first,
 * until each is applied on both systems or compensated. Retries back off (capped, jittered; see
 * backoff.ts) through each operation's `nextAttemptAt`; an operation held by a live process (its
 * lease) is left alone, a dead process's lease runs out and is taken over. It runs on a loop of its
 * own (start()), independent of sync passes, or once (runOnce()).
 */
export class OutboxWorker {
  readonly operations: OperationStore;
  readonly runner: OperationRunner;
  readonly owner: string;
  private readonly loop: PeriodicLoop<OutboxRunSummary>;
  private lastCleanupAt = 0;
  private readonly batchSize: number;
  private readonly retentionMs: number;
  private readonly cleanupEveryMs: number;

  constructor(dependencies: OutboxWorkerDependencies, options: OutboxWorkerOptions = {}) {
    this.operations = new OperationStore(dependencies.db);
    this.runner = new OperationRunner(
      {
        operations: this.operations,
        links: new LinkStore(dependencies.db),
        cursors: new FeedCursorStore(dependencies.db),
        customerp: dependencies.customerp,
        crmoffice: dependencies.crmoffice,
      },
      options,
    );
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}:outbox`;
    this.loop = new PeriodicLoop({ name: 'outbox run', intervalMs: options.intervalMs ?? 1000 }, () =>
      this.run(new Date()),
    );
    this.batchSize = options.batchSize ?? 200;
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.cleanupEveryMs = options.cleanupEveryMs ?? 10 * 60 * 1000;
  }

  get phase(): OutboxWorkerPhase {
    return this.loop.phase;
  }

  /** Runs now and then every intervalMs until stopped. */
  start(): void {
    this.loop.start();
  }

  /** Lets the current run finish (each step is bounded by upstream timeouts), then stops. */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.loop.markStopped();
  }

  /** One run: advances every due operation (up to batchSize), then the retention cleanup when due. Joins a run in progress. */
  runOnce(now: Date = new Date()): Promise<OutboxRunSummary> {
    return this.loop.runNow(() => this.run(now));
  }

  /**
   * Runs until no operation is unfinished (waiting for backoffs to pass), or `timeoutMs` is over;
   * returns how many are still unfinished. For tests and for draining before a shutdown.
   */
  async runUntilIdle(timeoutMs: number, pollMs = 50): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.runOnce();
      const unfinished = await this.operations.countUnfinished();
      if (unfinished === 0 || Date.now() >= deadline) return unfinished;
      await sleep(pollMs);
    }
  }

  private async run(now: Date): Promise<OutboxRunSummary> {
    const summary: OutboxRunSummary = { claimed: 0, byState: {}, expired: 0 };
    await this.operations.archiveFinished();
    // One read of the outbox per run: what is due, and per link what is older (ordering).
    const unfinished = await this.operations.unfinished();
    for (const [index, entry] of unfinished.entries()) {
      if (summary.claimed >= this.batchSize) break;
      const at = Date.now();
      if (entry.nextAttemptAt.getTime() > at || entry.lease.until.getTime() > at) continue;
      const operation = await this.operations.claim(entry._id, this.owner, this.runner.leaseMs);
      if (!operation) continue;
      summary.claimed += 1;
      const older = unfinished
        .slice(0, index)
        .filter((o) => o.linkId !== null && o.linkId === operation.linkId && !isFinal(o.state));
      try {
        const after = await this.runner.run(operation, this.owner, { older });
        // Later operations of the run see this one's progress without reading it again.
        unfinished[index] = { ...entry, state: after.state, nextAttemptAt: after.nextAttemptAt, lease: after.lease };
        summary.byState[after.state] = (summary.byState[after.state] ?? 0) + 1;
        if (isFinal(after.state)) await this.operations.archive(after);
      } catch (error) {
        // Parked by the runner for a later retry; the other operations still get their turn.
        logger.error({ operation: operation._id, err: error }, 'outbox operation failed unexpectedly');
      }
    }
    if (now.getTime() - this.lastCleanupAt >= this.cleanupEveryMs) {
      this.lastCleanupAt = now.getTime();
      summary.expired = await this.operations.deleteFinishedBefore(new Date(now.getTime() - this.retentionMs));
    }
    if (summary.claimed > 0) logger.info({ owner: this.owner, ...summary }, 'outbox run done');
    return summary;
  }
}
