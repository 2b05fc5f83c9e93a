import { describe, expect, it } from '@jest/globals';
import { SyncHistory } from '../../src/ops/index.js';
import type { FeedCursorDocument } from '../../src/reconcile/index.js';

function cursor(id: string, applied: number, lagMs: number | null): FeedCursorDocument {
  const [system, entity] = id.split(':') as [string, string];
  return {
    _id: id,
    system: system === 'customerp' ? 'CUSTOMERP' : 'CRMOFFICE',
    entity,
    cursor: 'c',
    lastRunAt: null,
    lastChangeAt: null,
    lagMs,
    applied,
    blockedReason: null,
  };
}

const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 0, 1, 10, minute, second));

describe('SyncHistory', () => {
  it('takes the first look as the baseline, then counts the growth of every feed per minute', () => {
    const history = new SyncHistory();
    history.record([cursor('customerp:EMPLOYEE', 30, 120), cursor('crmoffice:CONTACTS', 82, 40)], at(0, 5));
    history.record([cursor('customerp:EMPLOYEE', 31, 900), cursor('crmoffice:CONTACTS', 82, 40)], at(0, 30));
    history.record([cursor('customerp:EMPLOYEE', 33, 200), cursor('crmoffice:CONTACTS', 85, 40)], at(1, 10));
    expect(history.samples(at(1, 20))).toEqual([
      { minute: '2026-01-01T10:00:00.000Z', lagMs: 900, applied: 1 },
      { minute: '2026-01-01T10:01:00.000Z', lagMs: 200, applied: 5 },
    ]);
  });

  it('counts a feed that appears after the baseline from zero, and never counts a shrinking total', () => {
    const history = new SyncHistory();
    history.record([cursor('customerp:EMPLOYEE', 10, null)], at(0));
    history.record([cursor('customerp:EMPLOYEE', 4, null), cursor('crmoffice:ACTIVITIES', 7, 15)], at(0, 30));
    expect(history.samples(at(0, 40))).toEqual([{ minute: '2026-01-01T10:00:00.000Z', lagMs: 15, applied: 7 }]);
  });

  it('leaves a minute without a lag as null', () => {
    const history = new SyncHistory();
    history.record([cursor('customerp:EMPLOYEE', 0, null)], at(3));
    expect(history.samples(at(3))).toEqual([{ minute: '2026-01-01T10:03:00.000Z', lagMs: null, applied: 0 }]);
  });

  it('keeps the last hour only', () => {
    const history = new SyncHistory({ minutes: 60 });
    for (let minute = 0; minute < 90; minute += 1)
      history.record([cursor('customerp:EMPLOYEE', minute, minute)], new Date(at(0).getTime() + minute * 60_000));
    const samples = history.samples(new Date(at(0).getTime() + 89 * 60_000));
    expect(samples).toHaveLength(60);
    expect(samples[0]).toEqual({ minute: '2026-01-01T10:30:00.000Z', lagMs: 30, applied: 1 });
    expect(samples.at(-1)).toEqual({ minute: '2026-01-01T11:29:00.000Z', lagMs: 89, applied: 1 });
    // An hour after the last sample, nothing of it is left to show.
    expect(history.samples(new Date(at(0).getTime() + 150 * 60_000))).toEqual([]);
  });
});
