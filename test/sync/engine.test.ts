import { describe, expect, it } from '@jest/globals';
import { waitingCustomerpIds } from '../../src/sync/engine.js';
import { link } from './fixtures.js';

describe('waitingCustomerpIds', () => {
  const links = [
    link('L1', { customerp: { type: 'Employee', id: 'e1' }, state: 'CONFLICT' }),
    link('L2', { customerp: { type: 'Contact', id: 'c1' }, state: 'CONFLICT' }),
    link('L3', {
      customerp: { type: 'Employee', id: 'e2' },
      crmoffice: { type: 'Contact', id: 'x2' },
      state: 'CONFLICT',
    }),
    link('L4', { crmoffice: { type: 'Contact', id: 'x3' }, state: 'CONFLICT' }),
  ];

  it('names the Customerp records of one type, in link order', () => {
    expect(waitingCustomerpIds(links, 'Employee', { halfLinksOnly: false })).toEqual(['e1', 'e2']);
    expect(waitingCustomerpIds(links, 'Contact', { halfLinksOnly: false })).toEqual(['c1']);
  });

  it('names only half links when asked (ambiguous matches, not pairs waiting for a person)', () => {
    expect(waitingCustomerpIds(links, 'Employee', { halfLinksOnly: true })).toEqual(['e1']);
  });
});
