import { UpstreamRejectedError, UpstreamUnavailableError, type SystemName } from '../errors.js';
import { asOneChange, type LinkStore } from '../links/index.js';
import { logger } from '../logger.js';
import { mappingNamed, type FeedCursorStore } from '../reconcile/index.js';
import type { CrmofficeApi, CustomerpApi, SystemApis } from '../upstreams/index.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { compensate, reject } from './compensation.js';
import { markLinkPending } from './link-settlement.js';
import { decodeValues, type OperationDocument, type OperationState } from './operation.js';
import { OperationOrder, WaitingForOlderError } from './operation-order.js';
import { OperationProgress, pendingStep } from './operation-progress.js';
import { finish, writeSystem } from './operation-steps.js';
import { LeaseLostError, type OperationStore, type OperationSummary } from './operations.js';
import { failureOf } from './rejection.js';
import type { RunContext } from './run-context.js';
import { SystemRecords, type KnownRecords } from './system-records.js';

export type { KnownRecords } from './system-records.js';

export interface OperationRunnerDependencies {
  operations: OperationStore;
  links: LinkStore;
  /** The sync engine's feed cursors: where the search for a create whose answer was lost starts. */
  cursors: FeedCursorStore;
  customerp: CustomerpApi;
  crmoffice: CrmofficeApi;
}

export interface OperationRunnerOptions {
  /** How long an operation stays with the process advancing it without a sign of life before another may take it over. @default 30000 */
  leaseMs?: number;
  /** How long a step waits for an older operation on the same record that is being applied right now. @default 2000 */
  orderWaitMs?: number;
  /** Spacing of retries after a system could not be reached. */
  backoff?: BackoffOptions;
  /** Attempts of one write that keeps meeting concurrent edits (each refetches and merges). @default 5 */
  concurrencyAttempts?: number;
}

export interface RunOptions {
  known?: KnownRecords;
  /** This run's stopping point is a client's answer: record it as the outcome. @default false */
  answering?: boolean;
  /** The older unfinished operations on the same link, when the caller just read them. @default read when needed */
  older?: OperationSummary[];
}

/**
 * Advances outbox operations through their state machine (operation.ts). Used by the write path for
 * a mutation's first run and by the outbox worker for every later one: the same code either way, so a
 * crash at any point resumes where the last recorded state left it.
 */
export class OperationRunner {
  readonly leaseMs: number;
  readonly orderWaitMs: number;
  readonly backoff: BackoffOptions;
  readonly concurrencyAttempts: number;

  /** Both systems' APIs by name. */
  readonly apis: SystemApis;

  constructor(
    readonly dependencies: OperationRunnerDependencies,
    options: OperationRunnerOptions = {},
  ) {
    this.apis = { CUSTOMERP: dependencies.customerp, CRMOFFICE: dependencies.crmoffice };
    this.leaseMs = options.leaseMs ?? 30_000;
    this.orderWaitMs = options.orderWaitMs ?? 2000;
    this.backoff = options.backoff ?? {};
    this.concurrencyAttempts = options.concurrencyAttempts ?? 5;
  }

  /**
   * Advances `operation`, which `owner` must hold (lease), until it is finished or has to wait for a
   * system or an older operation; returns it as recorded then. A step that fails unexpectedly parks the
   * operation for a later retry and rethrows. `answering`: where this run stops is the answer a client
   * gets, recorded as the operation's outcome in the same update (for replays of its idempotency key).
   */
  run(operation: OperationDocument, owner: string, options: RunOptions = {}): Promise<OperationDocument> {
    const { operations, links, cursors } = this.dependencies;
    const context: RunContext = {
      progress: new OperationProgress(operations, operation, {
        owner,
        leaseMs: this.leaseMs,
        answering: options.answering ?? false,
      }),
      mapping: mappingNamed(operation.mapping),
      values: decodeValues(operation.values),
      records: new SystemRecords(this.apis, { ...options.known }),
      order: new OperationOrder(operations, this.orderWaitMs, options.older ?? null),
      operations,
      links,
      cursors,
      concurrencyAttempts: this.concurrencyAttempts,
    };
    // Subscribers see what one run changed as one change per record, whatever it took to get there.
    return asOneChange(() => new OperationRun(context, this.backoff).run());
  }
}

/** One run of one operation: the state machine's loop, and where the run stops when a step cannot go on. */
class OperationRun {
  constructor(
    private readonly context: RunContext,
    private readonly backoff: BackoffOptions,
  ) {}

  private get op(): OperationDocument {
    return this.context.progress.operation;
  }

  async run(): Promise<OperationDocument> {
    for (;;) {
      const state: OperationState = this.op.state;
      try {
        switch (state) {
          case 'RECORDED':
            await writeSystem(this.context, 'CUSTOMERP');
            break;
          case 'CUSTOMERP_DONE':
            await writeSystem(this.context, 'CRMOFFICE');
            break;
          case 'CRMOFFICE_DONE':
            await finish(this.context);
            break;
          case 'COMPENSATING':
            await compensate(this.context);
            break;
          case 'APPLIED':
          case 'COMPENSATED':
          case 'FAILED':
            return this.op;
          default: {
            const unreachable: never = state;
            throw new Error(`unknown operation state ${String(unreachable)}`);
          }
        }
      } catch (error) {
        if (error instanceof LeaseLostError) return (await this.context.operations.findById(this.op._id)) ?? this.op;
        if (error instanceof UpstreamRejectedError && !error.isConcurrencyConflict) {
          await reject(this.context, failureOf(this.context.mapping, error));
          continue;
        }
        if (error instanceof UpstreamUnavailableError) {
          await this.parkUnavailable(error.system, error.message, error.retryAfterSeconds);
          return this.op;
        }
        if (error instanceof UpstreamRejectedError) {
          // Concurrent edits kept winning: try again later rather than give up.
          await this.parkUnavailable(error.system, `kept meeting concurrent edits: ${error.message}`);
          return this.op;
        }
        if (error instanceof WaitingForOlderError) {
          await this.parkBehind(error);
          return this.op;
        }
        await this.parkUnexpected(error);
        throw error;
      }
    }
  }

  // ---- where a run stops ---------------------------------------------------------------------------

  private async parkUnavailable(system: SystemName, reason: string, retryAfterSeconds?: number): Promise<void> {
    const delay = backoffDelay(this.op.attempts + 1, this.backoff, retryAfterSeconds);
    await this.context.progress.park(
      new Date(Date.now() + delay),
      { lastError: reason, ...pendingStep(this.op.state, system, reason) },
      true,
    );
    await markLinkPending(this.context);
    logger.info(
      { operation: this.op._id, system, retryInMs: Math.round(delay), reason },
      'write-through step left for the outbox worker',
    );
  }

  private async parkBehind(waiting: WaitingForOlderError): Promise<void> {
    const after = Math.max(waiting.blocker.nextAttemptAt.getTime(), Date.now()) + 50;
    await this.context.progress.park(
      new Date(after),
      pendingStep(this.op.state, waiting.system, waiting.message),
      false,
    );
    await markLinkPending(this.context);
  }

  private async parkUnexpected(error: unknown): Promise<void> {
    logger.error({ operation: this.op._id, err: error }, 'write-through step failed unexpectedly; retried later');
    try {
      const delay = backoffDelay(this.op.attempts + 1, this.backoff);
      await this.context.progress.park(new Date(Date.now() + delay), { lastError: String(error) }, true);
    } catch {
      // MongoDB itself may be what failed: the lease runs out and the worker takes over.
    }
  }
}
