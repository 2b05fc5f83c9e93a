import { logger } from '../logger.js';
import { PeriodicLoop, type LoopPhase } from '../lifecycle/periodic-loop.js';
import type { SyncEngine } from './engine.js';
import type { SyncSummary } from './summary.js';

export type SyncWorkerPhase = LoopPhase;

export interface SyncWorkerOptions {
  /** Pause between passes. @default 2000 */
  intervalMs?: number;
  /** Extra work after each pass (e.g. the outbox), run by the same loop. */
  afterPass?: () => Promise<void>;
}

/**
 * Runs sync passes one after another with a pause between, until stopped. Stopping lets the current
 * pass finish (its batches are bounded), then releases the feed leases so another process takes over
 * at once instead of waiting for them to expire.
 */
export class SyncWorker {
  private readonly loop: PeriodicLoop<SyncSummary | undefined>;
  private lastSummary: SyncSummary | undefined;

  constructor(
    private readonly engine: SyncEngine,
    private readonly options: SyncWorkerOptions = {},
  ) {
    this.loop = new PeriodicLoop({ name: 'sync pass', intervalMs: options.intervalMs ?? 2000 }, () => this.pass());
  }

  get phase(): SyncWorkerPhase {
    return this.loop.phase;
  }

  get last(): SyncSummary | undefined {
    return this.lastSummary;
  }

  start(): void {
    this.loop.start();
  }

  /** Runs one pass now (or joins the one running) and returns its summary; undefined when it failed. */
  runNow(): Promise<SyncSummary | undefined> {
    return this.loop.runNow();
  }

  /**
   * Runs the next pass now rather than an interval from now (a webhook announced a change). The pass
   * reads the feeds from their cursors as always, so a wake only changes when, never what.
   */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    const phase = this.loop.phase.phase;
    if (phase === 'stopping' || phase === 'stopped') return;
    await this.loop.stop();
    await this.engine
      .releaseLeases()
      .catch((error: unknown) => logger.warn({ err: error }, 'could not release sync leases'));
    this.loop.markStopped();
  }

  private async pass(): Promise<SyncSummary | undefined> {
    try {
      this.lastSummary = await this.engine.runOnce();
      await this.options.afterPass?.();
      return this.lastSummary;
    } catch (error) {
      // A pass that fails (MongoDB unreachable, a bug) is logged and retried next interval.
      logger.error({ err: error }, 'sync pass failed');
      return undefined;
    }
  }
}
