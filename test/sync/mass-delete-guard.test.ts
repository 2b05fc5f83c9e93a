import { describe, expect, it } from '@jest/globals';
import {
  MassDeleteGuard,
  MassDeleteGuardError,
  massDeleteRefusal,
  withinAllowance,
} from '../../src/sync/mass-delete-guard.js';

const policy = { share: 0.2, allowance: 2 };

describe('the mass-delete guard', () => {
  it('allows deletes within the allowance without asking how many links there are', () => {
    expect([0, 1, 2, 3].map((planned) => withinAllowance(planned, policy))).toEqual([true, true, true, false]);
    expect(massDeleteRefusal('crmoffice:CONTACTS', 2, 0, policy)).toBeNull();
  });

  it('allows deletes beyond the allowance up to the share of the entity’s links, inclusive', () => {
    expect(massDeleteRefusal('crmoffice:CONTACTS', 3, 15, policy)).toBeNull(); // 3 ≤ 0.2 × 15
    expect(massDeleteRefusal('crmoffice:CONTACTS', 20, 100, policy)).toBeNull();
  });

  it('refuses deletes beyond both the allowance and the share, naming the feed and the counts', () => {
    const refusal = massDeleteRefusal('crmoffice:CONTACTS', 21, 100, policy);
    expect(refusal).toBeInstanceOf(MassDeleteGuardError);
    expect(refusal).toMatchObject({
      name: 'MassDeleteGuardError',
      feed: 'crmoffice:CONTACTS',
      deletes: 21,
      links: 100,
      message:
        'mass-delete guard: 21 of 100 links of crmoffice:CONTACTS would be deleted in one pass (more than 20 %); nothing deleted',
    });
    expect(massDeleteRefusal('customerp:PRODUCT', 3, 14, policy)?.message).toBe(
      'mass-delete guard: 3 of 14 links of customerp:PRODUCT would be deleted in one pass (more than 20 %); nothing deleted',
    );
  });

  it('counts each feed’s deletes across the batches of a pass, and from zero in the next pass', () => {
    const guard = new MassDeleteGuard(policy);
    guard.count('customerp:EMPLOYEE');
    guard.count('customerp:EMPLOYEE');
    guard.count('crmoffice:CONTACTS');
    expect([
      guard.appliedBy('customerp:EMPLOYEE'),
      guard.appliedBy('crmoffice:CONTACTS'),
      guard.appliedBy('customerp:PRODUCT'),
    ]).toEqual([2, 1, 0]);
    guard.startPass();
    expect([guard.appliedBy('customerp:EMPLOYEE'), guard.appliedBy('crmoffice:CONTACTS')]).toEqual([0, 0]);
  });
});
