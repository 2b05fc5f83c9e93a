import { describe, expect, it } from '@jest/globals';
import { deleteDecision, type MassDeletePolicy } from '../../src/sync/mass-delete-guard.js';

const policy: MassDeletePolicy = { share: 0.2, allowance: 2, windowMs: 600_000 };

describe('deleteDecision', () => {
  it('lets the allowance through whatever the share, counting the window’s earlier deletes', () => {
    expect(deleteDecision(2, 0, 0, policy)).toBe('apply'); // a table of 2: both may go
    expect(deleteDecision(1, 1, 3, policy)).toBe('apply'); // 1 + 1 within the window ≤ 2
    expect(deleteDecision(1, 2, 3, policy)).toBe('hold'); // the third in the window, 3 of 5 > 20 %
  });

  it('beyond the allowance, applies deletes while the window’s share stays within 20 % of the links', () => {
    expect(deleteDecision(3, 0, 15, policy)).toBe('apply'); // 3 ≤ 0.2 × 15
    expect(deleteDecision(20, 0, 100, policy)).toBe('apply');
    expect(deleteDecision(21, 0, 100, policy)).toBe('hold');
    expect(deleteDecision(7, 0, 26, policy)).toBe('hold'); // 7 of 26 products
  });

  it('adds deletes spread over several passes: two at a time are caught once the window’s total passes the share', () => {
    // 26 links; passes of 2 deletes each. Live links shrink as deletes apply; recent deletes grow.
    const decisions = [0, 2, 4].map((recent) => deleteDecision(2, recent, 26 - recent, policy));
    expect(decisions).toEqual(['apply', 'apply', 'hold']); // 6 of 26 > 5.2
  });
});
