import { setTimeout as sleep } from 'node:timers/promises';
import type { SystemName } from '../errors.js';
import { SYSTEM_LABELS } from '../upstreams/index.js';
import type { OperationDocument } from './operation.js';
import { blockerOf, type OperationStore, type OperationSummary } from './operations.js';

/** Another operation on the same record has to write this system first. */
export class WaitingForOlderError extends Error {
  constructor(
    readonly blocker: OperationSummary,
    readonly system: SystemName,
  ) {
    super(`waiting for an earlier change of this record to reach ${SYSTEM_LABELS[system]}`);
    this.name = 'WaitingForOlderError';
  }
}

/**
 * Operations of one record write each system in the order they were recorded (else a retried older
 * change could overwrite a newer one). One run's view of the older operations on its link.
 */
export class OperationOrder {
  constructor(
    private readonly store: OperationStore,
    private readonly waitMs: number,
    /** Older unfinished operations on the link, as last read (null: not read yet; refreshed while waiting for one). */
    private older: OperationSummary[] | null,
  ) {}

  /**
   * Returns once no older operation of `operation`'s link has yet to write `system`. An older one
   * being applied right now is waited for briefly; one that waits itself (a system down), or one
   * still in flight after the wait, throws WaitingForOlderError.
   */
  async waitForOlder(operation: OperationDocument, system: SystemName): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    // Read once per run: operations recorded later can never be older than this one.
    this.older ??= await this.store.olderOnLink(operation);
    for (;;) {
      const blocker = blockerOf(this.older, system);
      if (!blocker) return;
      const inFlight = blocker.lease.owner !== null && blocker.lease.until.getTime() > Date.now();
      if (!inFlight || Date.now() >= deadline) throw new WaitingForOlderError(blocker, system);
      await sleep(20);
      this.older = await this.store.olderOnLink(operation);
    }
  }
}
