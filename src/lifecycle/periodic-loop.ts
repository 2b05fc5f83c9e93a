import { logger } from '../logger.js';

export type LoopPhase =
  | { phase: 'idle' }
  | { phase: 'running'; since: Date }
  | { phase: 'waiting'; until: Date }
  | { phase: 'stopping' }
  | { phase: 'stopped' };

export interface PeriodicLoopOptions {
  /** Names the loop in log lines, e.g. `sync pass`. */
  name: string;
  /** Pause between the end of one run and the start of the next. */
  intervalMs: number;
}

/**
 * Runs a task, then again `intervalMs` after each run ends, until stopped; never two runs at once.
 * A run asked for while one is under way joins it. Stopping cancels the next run and waits for the
 * current one (tasks bound their own work), so a stopped loop has nothing in flight. A scheduled run
 * that fails is logged and the loop goes on; a run asked for with runNow() reports its failure.
 */
export class PeriodicLoop<T> {
  private state: LoopPhase = { phase: 'idle' };
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<T> | undefined;
  /** A wake() arrived during a run: the change it announces may have come after the run read past it. */
  private wokenWhileRunning = false;

  constructor(
    private readonly options: PeriodicLoopOptions,
    private readonly task: () => Promise<T>,
  ) {}

  get phase(): LoopPhase {
    return this.state;
  }

  /** Runs the task now and then every interval. Only from idle: a stopped loop stays stopped. */
  start(): void {
    if (this.state.phase !== 'idle') return;
    this.schedule(0);
  }

  /** Runs the task now (`task` instead of the loop's own, if given), or joins the run under way. */
  runNow(task: () => Promise<T> = this.task): Promise<T> {
    this.current ??= task().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /**
   * Brings the next scheduled run forward to now (a push said there is work). During a run, the next
   * run starts as soon as this one ends instead of an interval later. Does nothing before start() or
   * after stop(): a wake never starts a loop, nor two runs at once.
   */
  wake(): void {
    const { phase } = this.state;
    if (phase === 'running') {
      this.wokenWhileRunning = true;
    } else if (phase === 'waiting') {
      if (this.timer) clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  /** Cancels the next run and waits for the current one to end. */
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
    await this.current?.catch(() => undefined);
  }

  /** Marks the end of stop() and whatever the owner did after it (e.g. releasing leases). */
  markStopped(): void {
    this.state = { phase: 'stopped' };
  }

  private schedule(delayMs: number): void {
    this.state = { phase: 'waiting', until: new Date(Date.now() + delayMs) };
    this.timer = setTimeout(() => {
      this.state = { phase: 'running', since: new Date() };
      this.wokenWhileRunning = false;
      void this.runNow()
        .catch((error: unknown) => logger.error({ err: error }, `${this.options.name} failed`))
        .then(() => {
          if (this.state.phase === 'running') this.schedule(this.wokenWhileRunning ? 0 : this.options.intervalMs);
        });
    }, delayMs);
  }
}
