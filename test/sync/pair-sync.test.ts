import { describe, expect, it } from '@jest/globals';
import { emptyEntitySummary } from '../../src/sync/summary.js';
import { countPairOutcome, linkStateAfterSync, type PairOutcome } from '../../src/sync/pair-sync.js';
import { conflict } from './fixtures.js';

const RESOLVED = new Date('2025-06-02T00:00:00.000Z');

describe('linkStateAfterSync', () => {
  it('is PENDING while a reference waits, whatever the conflicts', () => {
    expect(linkStateAfterSync(1, [])).toBe('PENDING');
    expect(linkStateAfterSync(2, [conflict('k1', 'department', 'Sales')])).toBe('PENDING');
  });

  it('is CONFLICT while any conflict is open', () => {
    expect(
      linkStateAfterSync(0, [conflict('k1', 'department', 'Sales', RESOLVED), conflict('k2', 'title', 'CTO')]),
    ).toBe('CONFLICT');
  });

  it('is IN_SYNC with nothing deferred and every conflict resolved (or none)', () => {
    expect(linkStateAfterSync(0, [])).toBe('IN_SYNC');
    expect(linkStateAfterSync(0, [conflict('k1', 'department', 'Sales', RESOLVED)])).toBe('IN_SYNC');
  });
});

describe('countPairOutcome', () => {
  it('counts updated, unchanged and error pairs, and a pair gone meanwhile nowhere', () => {
    const summary = emptyEntitySummary();
    for (const outcome of ['updated', 'unchanged', 'unchanged', 'error', 'gone'] satisfies PairOutcome[])
      countPairOutcome(summary, outcome);
    expect(summary).toEqual({ ...emptyEntitySummary(), updated: 1, unchanged: 2, errors: 1 });
  });
});
