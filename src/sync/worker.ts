import { logger } from '../logger.js';
import type { SyncEngine } from './engine.js';
import type { SyncSummary } from './summary.js';

export type SyncWorkerPhase =
  | { phase: 'idle' }
  | { phase: 'running'; since: Date }
  | { phase: 'waiting'; until: Date }
  | { phase: 'stopping' }
  | { phase: 'stopped' };

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
  private state: SyncWorkerPhase = { phase: 'idle' };
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<SyncSummary | undefined> | undefined;
  private readonly intervalMs: number;
  private lastSummary: SyncSummary | undefined;

  constructor(
    private readonly engine: SyncEngine,
    private readonly options: SyncWorkerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
  }

  get phase(): SyncWorkerPhase {
    return this.state;
  }

  get last(): SyncSummary | undefined {
    return this.lastSummary;
  }

  start(): void {
    if (this.state.phase !== 'idle') return;
    this.schedule(0);
  }

  /** Runs one pass now (or joins the one running) and returns its summary. */
  async runNow(): Promise<SyncSummary | undefined> {
    if (this.current) return this.current;
    return this.pass();
  }

  async stop(): Promise<void> {
    const state = this.state;
    switch (state.phase) {
      case 'stopped':
      case 'stopping':
        return;
      case 'idle':
      case 'waiting':
      case 'running':
        break;
      default: {
        const unreachable: never = state;
        throw new Error(`unknown phase ${JSON.stringify(unreachable)}`);
      }
    }
    this.state = { phase: 'stopping' };
    if (this.timer) clearTimeout(this.timer);
    await this.current;
    await this.engine.releaseLeases().catch((error: unknown) => logger.warn({ err: error }, 'could not release sync leases'));
    this.state = { phase: 'stopped' };
  }

  private schedule(delayMs: number): void {
    this.state = { phase: 'waiting', until: new Date(Date.now() + delayMs) };
    this.timer = setTimeout(() => {
      void this.pass().then(() => {
        if (this.state.phase === 'running' || this.state.phase === 'waiting') this.schedule(this.intervalMs);
      });
    }, delayMs);
  }

  private pass(): Promise<SyncSummary | undefined> {
    if (this.state.phase !== 'stopping') this.state = { phase: 'running', since: new Date() };
    this.current = (async () => {
      try {
        this.lastSummary = await this.engine.runOnce();
        await this.options.afterPass?.();
        return this.lastSummary;
      } catch (error) {
        // A pass that fails (MongoDB unreachable, a bug) is logged and retried next interval.
        logger.error({ err: error }, 'sync pass failed');
        return undefined;
      } finally {
        this.current = undefined;
      }
    })();
    return this.current;
  }
}
