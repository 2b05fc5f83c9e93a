import { describe, expect, it } from '@jest/globals';
import { SYSTEMS } from '../../src/upstreams/index.js';
import { decodeValues, encodeValues, nextState, sideKeyOf, stepSystemOf } from '../../src/writes/operation.js';
import { FINAL_STATES, isFinal, UNFINISHED_STATES, writesOf, type OperationState } from '../../src/writes/index.js';
import { sideProgress } from './operation-document.js';

/** The operation's state machine as tables: pure, no MongoDB. */

const STATES: readonly OperationState[] = [...UNFINISHED_STATES, ...FINAL_STATES];

describe('operation state machine', () => {
  it('keeps the part of each system under its side key', () => {
    expect(SYSTEMS.map(sideKeyOf)).toEqual(['customerp', 'crmoffice']);
  });

  it('moves on to <SYSTEM>_DONE after the step of each system', () => {
    expect(SYSTEMS.map(nextState)).toEqual(['CUSTOMERP_DONE', 'CRMOFFICE_DONE']);
  });

  it('writes Customerp from RECORDED, Crmoffice from CUSTOMERP_DONE, and no system forward from any other state', () => {
    expect(Object.fromEntries(STATES.map((state) => [state, stepSystemOf(state)]))).toEqual({
      RECORDED: 'CUSTOMERP',
      CUSTOMERP_DONE: 'CRMOFFICE',
      CRMOFFICE_DONE: null,
      COMPENSATING: null,
      APPLIED: null,
      COMPENSATED: null,
      FAILED: null,
    });
  });

  it('reaches the step of Crmoffice after the step of Customerp, and then a state past both', () => {
    expect(stepSystemOf(nextState('CUSTOMERP'))).toBe('CRMOFFICE');
    expect(stepSystemOf(nextState('CRMOFFICE'))).toBeNull();
  });

  it('counts APPLIED, COMPENSATED and FAILED as final, nothing else', () => {
    expect(STATES.filter(isFinal)).toEqual(['APPLIED', 'COMPENSATED', 'FAILED']);
  });
});

describe('writesOf', () => {
  it('reports Customerp first, then Crmoffice, each with its state and error', () => {
    const operation = {
      customerp: sideProgress({ write: 'APPLIED' }),
      crmoffice: sideProgress({ write: 'FAILED', error: 'refused' }),
    };
    expect(writesOf(operation)).toEqual([
      { system: 'CUSTOMERP', state: 'APPLIED', error: null },
      { system: 'CRMOFFICE', state: 'FAILED', error: 'refused' },
    ]);
  });
});

describe('encodeValues / decodeValues', () => {
  it('stores nested fields without `.` (MongoDB keys) and reads them back', () => {
    const values = { name: 'Ada', 'address.street': 'Main St 1', active: true, phone: null };
    expect(encodeValues(values)).toEqual({ name: 'Ada', address__street: 'Main St 1', active: true, phone: null });
    expect(decodeValues(encodeValues(values))).toEqual(values);
  });
});
