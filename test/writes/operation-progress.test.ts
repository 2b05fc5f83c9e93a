import { describe, expect, it } from '@jest/globals';
import type { OperationDocument } from '../../src/writes/index.js';
import {
  answeredSet,
  OperationProgress,
  pendingStep,
  withSet,
  type OperationSet,
} from '../../src/writes/operation-progress.js';
import type { OperationStore } from '../../src/writes/operations.js';
import { operationDocument, sideProgress } from './operation-document.js';

/** Persistence of an operation's progress: the pure parts, and lazy recording against a store that records its calls. */

type StoreCall =
  | { call: 'advance'; expected: { _id: string; state: string }; owner: string; leaseMs: number; set: OperationSet }
  | {
      call: 'park';
      expected: { _id: string; state: string };
      owner: string;
      nextAttemptAt: Date;
      set: OperationSet;
      countAttempt: boolean;
    };

/** A store that applies every update to the document as MongoDB would and records the call: [store, calls]. */
function recordingStore(stored: OperationDocument): [Pick<OperationStore, 'advance' | 'park'>, StoreCall[]] {
  const calls: StoreCall[] = [];
  let current = stored;
  const store: Pick<OperationStore, 'advance' | 'park'> = {
    advance(operation, owner, leaseMs, set) {
      calls.push({ call: 'advance', expected: { _id: operation._id, state: operation.state }, owner, leaseMs, set });
      current = withSet(current, set);
      return Promise.resolve(current);
    },
    park(operation, owner, nextAttemptAt, set, countAttempt) {
      calls.push({
        call: 'park',
        expected: { _id: operation._id, state: operation.state },
        owner,
        nextAttemptAt,
        set,
        countAttempt,
      });
      current = withSet(current, set);
      return Promise.resolve(current);
    },
  };
  return [store, calls];
}

const OPTIONS = { owner: 'me', leaseMs: 60_000, answering: false };

describe('withSet', () => {
  it('sets top-level fields and dotted paths, leaving the rest as it was', () => {
    const before = operationDocument();
    const after = withSet(before, {
      state: 'CUSTOMERP_DONE',
      'customerp.write': 'APPLIED',
      'customerp.ref': { type: 'Product', id: 'prd-1' },
    });
    expect(after).toEqual({
      ...before,
      state: 'CUSTOMERP_DONE',
      customerp: sideProgress({ write: 'APPLIED', ref: { type: 'Product', id: 'prd-1' } }),
    });
  });

  it('leaves the operation it was given unchanged', () => {
    const before = operationDocument();
    withSet(before, { state: 'FAILED', 'crmoffice.error': 'refused' });
    expect(before).toEqual(operationDocument());
  });

  it('creates the objects a path passes through when they are missing or null', () => {
    const after = withSet(operationDocument({ outcome: null }), { 'outcome.failure': null, 'lease.owner': null });
    expect(after.outcome).toEqual({ failure: null });
    expect(after.lease).toEqual({ owner: null, until: operationDocument().lease.until });
  });

  it('keeps dates as dates', () => {
    const sentAt = new Date('2025-06-01T10:00:05.000Z');
    expect(withSet(operationDocument(), { 'customerp.sentAt': sentAt }).customerp.sentAt).toEqual(sentAt);
  });
});

describe('answeredSet', () => {
  const failed = operationDocument({
    state: 'FAILED',
    failure: { message: 'refused', system: 'CUSTOMERP', upstreamCode: 'BAD_USER_INPUT', field: 'name' },
    customerp: sideProgress({ write: 'FAILED', error: 'refused' }),
    crmoffice: sideProgress({ write: 'SKIPPED', error: 'not written' }),
  });

  it('adds the outcome the operation gives when the run answers a client', () => {
    expect(answeredSet(failed, { state: 'FAILED' }, true)).toEqual({
      state: 'FAILED',
      outcome: {
        writes: [
          { system: 'CUSTOMERP', state: 'FAILED', error: 'refused' },
          { system: 'CRMOFFICE', state: 'SKIPPED', error: 'not written' },
        ],
        failure: { message: 'refused', system: 'CUSTOMERP', upstreamCode: 'BAD_USER_INPUT', field: 'name' },
      },
    });
  });

  it('keeps the first outcome: none is added when one is recorded', () => {
    const answered = { ...failed, outcome: { writes: [], failure: null } };
    expect(answeredSet(answered, { state: 'FAILED' }, true)).toEqual({ state: 'FAILED' });
  });

  it('adds nothing when the run answers no client (the outbox worker)', () => {
    expect(answeredSet(failed, { state: 'FAILED' }, false)).toEqual({ state: 'FAILED' });
  });
});

describe('pendingStep', () => {
  it('marks the side of the system whose step the state waits for PENDING, with the reason', () => {
    expect(pendingStep('RECORDED', 'CUSTOMERP', 'down')).toEqual({
      'customerp.write': 'PENDING',
      'customerp.error': 'down',
    });
    expect(pendingStep('CUSTOMERP_DONE', 'CRMOFFICE', 'down')).toEqual({
      'crmoffice.write': 'PENDING',
      'crmoffice.error': 'down',
    });
  });

  it('marks nothing for any other system: a compensation, or a link still to settle, is no step', () => {
    expect(pendingStep('RECORDED', 'CRMOFFICE', 'down')).toEqual({});
    expect(pendingStep('CUSTOMERP_DONE', 'CUSTOMERP', 'down')).toEqual({});
    expect(pendingStep('COMPENSATING', 'CUSTOMERP', 'down')).toEqual({});
    expect(pendingStep('CRMOFFICE_DONE', 'CRMOFFICE', 'down')).toEqual({});
  });
});

describe('OperationProgress', () => {
  it('keeps progress in memory until a step asks for it to be recorded, then records all of it in one update guarded by the recorded state', async () => {
    const [store, calls] = recordingStore(operationDocument());
    const progress = new OperationProgress(store, operationDocument(), OPTIONS);
    await progress.advance({ state: 'CUSTOMERP_DONE', 'customerp.write': 'SKIPPED' });
    expect(calls).toEqual([]);
    expect(progress.operation.state).toBe('CUSTOMERP_DONE');
    await progress.advance({ 'crmoffice.sentAt': null }, true);
    expect(calls).toEqual([
      {
        call: 'advance',
        expected: { _id: 'key:k1', state: 'RECORDED' },
        owner: 'me',
        leaseMs: 60_000,
        set: { state: 'CUSTOMERP_DONE', 'customerp.write': 'SKIPPED', 'crmoffice.sentAt': null },
      },
    ]);
  });

  it('records a final state at once, with the outcome when it answers a client', async () => {
    const [store, calls] = recordingStore(operationDocument({ state: 'CRMOFFICE_DONE' }));
    const progress = new OperationProgress(store, operationDocument({ state: 'CRMOFFICE_DONE' }), {
      ...OPTIONS,
      answering: true,
    });
    await progress.advance({ state: 'APPLIED' });
    expect(calls).toEqual([
      {
        call: 'advance',
        expected: { _id: 'key:k1', state: 'CRMOFFICE_DONE' },
        owner: 'me',
        leaseMs: 60_000,
        set: {
          state: 'APPLIED',
          outcome: {
            writes: [
              { system: 'CUSTOMERP', state: 'PENDING', error: null },
              { system: 'CRMOFFICE', state: 'PENDING', error: null },
            ],
            failure: null,
          },
        },
      },
    ]);
    expect(progress.operation.outcome).not.toBeNull();
  });

  it('parks with the unrecorded progress and the pending side in one update, guarded by the last recorded state', async () => {
    const [store, calls] = recordingStore(operationDocument());
    const progress = new OperationProgress(store, operationDocument(), OPTIONS);
    await progress.advance({ state: 'CUSTOMERP_DONE', 'customerp.write': 'APPLIED' });
    const retryAt = new Date('2025-06-01T10:01:00.000Z');
    await progress.park(
      retryAt,
      { lastError: 'down', ...pendingStep(progress.operation.state, 'CRMOFFICE', 'down') },
      true,
    );
    expect(calls).toEqual([
      {
        call: 'park',
        expected: { _id: 'key:k1', state: 'RECORDED' },
        owner: 'me',
        nextAttemptAt: retryAt,
        set: {
          state: 'CUSTOMERP_DONE',
          'customerp.write': 'APPLIED',
          lastError: 'down',
          'crmoffice.write': 'PENDING',
          'crmoffice.error': 'down',
        },
        countAttempt: true,
      },
    ]);
    expect(progress.operation.crmoffice).toEqual(sideProgress({ write: 'PENDING', error: 'down' }));
  });

  it('guards the next update by the state it recorded last', async () => {
    const [store, calls] = recordingStore(operationDocument());
    const progress = new OperationProgress(store, operationDocument(), OPTIONS);
    await progress.advance({ state: 'CUSTOMERP_DONE' }, true);
    await progress.advance({ state: 'CRMOFFICE_DONE' }, true);
    expect(calls.map((c) => c.expected.state)).toEqual(['RECORDED', 'CUSTOMERP_DONE']);
  });
});
