import { logger } from '../logger.js';

/** A started part of the product that can be stopped. */
export interface Component {
  name: string;
  stop(): Promise<void>;
}

export type SupervisorPhase =
  | { phase: 'starting'; started: string[] }
  | { phase: 'running'; started: string[] }
  | { phase: 'stopping'; reason: string }
  | { phase: 'stopped'; reason: string; failures: string[] };

/**
 * Starts the product's parts in order and stops them in reverse, once, whatever asks first
 * (Ctrl-C, SIGTERM, a part that fails to start). Parts started before a failure are stopped too,
 * so nothing is left behind.
 */
export class Supervisor {
  private state: SupervisorPhase = { phase: 'starting', started: [] };
  private readonly components: Component[] = [];
  private stopping: Promise<void> | undefined;

  get phase(): SupervisorPhase {
    return this.state;
  }

  /** Starts one part; if it throws, everything started so far is stopped and the error rethrown. */
  async start<T extends Component>(name: string, launch: () => Promise<T>): Promise<T> {
    if (this.state.phase !== 'starting') throw new Error(`cannot start ${name} while ${this.state.phase}`);
    try {
      const component = await launch();
      this.components.push(component);
      this.state = { phase: 'starting', started: [...this.state.started, name] };
      return component;
    } catch (error) {
      await this.stop(`${name} failed to start`);
      throw error;
    }
  }

  running(): void {
    if (this.state.phase === 'starting') this.state = { phase: 'running', started: this.state.started };
  }

  /** Stops every started part in reverse order; safe to call more than once. */
  stop(reason: string): Promise<void> {
    this.stopping ??= this.stopAll(reason);
    return this.stopping;
  }

  private async stopAll(reason: string): Promise<void> {
    this.state = { phase: 'stopping', reason };
    const failures: string[] = [];
    for (const component of [...this.components].reverse()) {
      try {
        await component.stop();
        logger.debug({ component: component.name }, 'stopped');
      } catch (error) {
        failures.push(component.name);
        logger.error({ component: component.name, err: error }, 'failed to stop');
      }
    }
    this.state = { phase: 'stopped', reason, failures };
  }

  /** Describes the phase for logs; exhaustive over the union. */
  describe(): string {
    const state = this.state;
    switch (state.phase) {
      case 'starting':
        return `starting (${state.started.join(', ') || 'nothing yet'})`;
      case 'running':
        return `running (${state.started.join(', ')})`;
      case 'stopping':
        return `stopping: ${state.reason}`;
      case 'stopped':
        return `stopped: ${state.reason}${state.failures.length ? `; failed to stop ${state.failures.join(', ')}` : ''}`;
      default: {
        const unreachable: never = state;
        throw new Error(`unknown phase ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
