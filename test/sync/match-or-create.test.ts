import { describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import { employeeContact, type CrmofficeRecord } from '../../src/mappings/index.js';
import {
  candidatesByIdentity,
  identityLookups,
  isFreeCandidate,
  knowsAmbiguity,
  planMatch,
  settleIdentityConflicts,
  type MatchFacts,
  type MatchPlan,
} from '../../src/sync/match-or-create.js';
import { conflict, contact, employee, link } from './fixtures.js';

const DELETED_AT = new Date('2025-06-02T00:00:00.000Z');
const NOW = new Date('2025-06-03T00:00:00.000Z');

describe('identityLookups', () => {
  it('looks up each non-empty identity value once, as the Customerp record holds it, in first-seen order', () => {
    const records = [
      employee('e1', 'Ada@Example.com'),
      employee('e2', ''),
      employee('e3', 'ben@example.com'),
      employee('e4', 'Ada@Example.com'),
    ];
    expect(identityLookups(employeeContact, records)).toEqual(['Ada@Example.com', 'ben@example.com']);
  });

  it('looks up nothing when no record has an identity value', () => {
    expect(identityLookups(employeeContact, [employee('e1', '')])).toEqual([]);
  });
});

describe('candidatesByIdentity', () => {
  it('groups the contacts found by identity key; a contact of another dataflow or without a key is no candidate, a Crmoffice-only one is', () => {
    const found = [
      contact('x1', 'ADA@example.com', 'EMPLOYEE'),
      contact('x2', 'ben@example.com', 'EMPLOYEE'),
      contact('x3', 'ada@example.com', 'CUSTOMER'), // the customer-contact dataflow's
      contact('x4', 'ada@example.com ', 'OTHER'), // Crmoffice-only
      contact('x5', '', 'EMPLOYEE'),
    ];
    const grouped = candidatesByIdentity(employeeContact, found);
    expect([...grouped].map(([key, candidates]) => [key, candidates.map((c) => c.id)])).toEqual([
      ['ada@example.com', ['x1', 'x4']],
      ['ben@example.com', ['x2']],
    ]);
  });
});

describe('isFreeCandidate', () => {
  it('takes a contact with no link or on a live Crmoffice-only half link, never one linked to Customerp or on a deleted link', () => {
    const crmOnly = link('L1', { crmoffice: { type: 'Contact', id: 'x1' }, kind: 'CRM_ONLY' });
    const paired = link('L2', { customerp: { type: 'Employee', id: 'e9' }, crmoffice: { type: 'Contact', id: 'x2' } });
    const deleted = link('L3', { crmoffice: { type: 'Contact', id: 'x3' }, deletedAt: DELETED_AT });
    expect([null, crmOnly, paired, deleted].map(isFreeCandidate)).toEqual([true, true, false, false]);
  });
});

describe('planMatch', () => {
  const x1 = contact('x1', 'ada@example.com');
  const x2 = contact('x2', 'Ada@Example.com');
  const holders: Record<string, Link> = {};
  const facts = (overrides: Partial<MatchFacts>): MatchFacts => ({
    flow: employeeContact,
    record: employee('e1', 'ada@example.com'),
    link: null,
    owned: false,
    byIdentity: candidatesByIdentity(employeeContact, [x1, x2]),
    holderOf: (c: CrmofficeRecord) => holders[c.id] ?? null,
    ...overrides,
  });
  const ids = (plan: MatchPlan) =>
    'candidates' in plan
      ? { ...plan, candidates: plan.candidates.map((c) => c.id) }
      : 'candidate' in plan
        ? { ...plan, candidate: plan.candidate.id }
        : plan;

  it('skips a record paired since its batch was sorted, even one a write owns', () => {
    const paired = link('L1', { customerp: { type: 'Employee', id: 'e1' }, crmoffice: { type: 'Contact', id: 'x9' } });
    expect(planMatch(facts({ link: paired, owned: true }))).toEqual({ action: 'skip' });
  });

  it('defers a record an unfinished write owns', () => {
    expect(planMatch(facts({ owned: true }))).toEqual({ action: 'defer' });
  });

  it('never guesses between two free candidates with its identity key', () => {
    expect(ids(planMatch(facts({})))).toEqual({
      action: 'ambiguous',
      identity: 'ada@example.com',
      candidates: ['x1', 'x2'],
    });
  });

  it('links the one candidate left when the other is held by a Customerp record', () => {
    const byX2 = (c: CrmofficeRecord) =>
      c.id === 'x2'
        ? link('L2', { customerp: { type: 'Employee', id: 'e2' }, crmoffice: { type: 'Contact', id: 'x2' } })
        : null;
    expect(ids(planMatch(facts({ holderOf: byX2 })))).toEqual({ action: 'link', candidate: 'x1' });
  });

  it('links a half link it holds itself to a single candidate', () => {
    const own = link('L1', { customerp: { type: 'Employee', id: 'e1' }, state: 'CONFLICT' });
    expect(ids(planMatch(facts({ link: own, byIdentity: candidatesByIdentity(employeeContact, [x1]) })))).toEqual({
      action: 'link',
      candidate: 'x1',
    });
  });

  it('creates a counterpart when no candidate is free (both on deleted links) or the record has no identity key', () => {
    const deleted = (c: CrmofficeRecord) =>
      link(`L-${c.id}`, { crmoffice: { type: 'Contact', id: c.id }, deletedAt: DELETED_AT });
    expect(planMatch(facts({ holderOf: deleted }))).toEqual({ action: 'create' });
    expect(planMatch(facts({ record: employee('e1', '') }))).toEqual({ action: 'create' });
    expect(planMatch(facts({ record: employee('e1', 'nobody@example.com') }))).toEqual({ action: 'create' });
  });
});

describe('ambiguous-match conflicts', () => {
  it('knows an open identity conflict naming exactly the same candidates, not a resolved one or other candidates', () => {
    expect(knowsAmbiguity([conflict('k1', 'identity', ['x1', 'x2'])], ['x1', 'x2'])).toBe(true);
    expect(knowsAmbiguity([conflict('k1', 'identity', ['x1', 'x2'], DELETED_AT)], ['x1', 'x2'])).toBe(false);
    expect(knowsAmbiguity([conflict('k1', 'identity', ['x1', 'x2'])], ['x1', 'x3'])).toBe(false);
    expect(knowsAmbiguity([conflict('k1', 'email', ['x1', 'x2'])], ['x1', 'x2'])).toBe(false);
  });

  it('settles open identity conflicts once matched, leaving field conflicts and resolved ones as they are', () => {
    const open = conflict('k1', 'identity', ['x1', 'x2']);
    const field = conflict('k2', 'department', 'Sales');
    const old = conflict('k3', 'identity', ['x7', 'x8'], DELETED_AT);
    const settled = settleIdentityConflicts([open, field, old], NOW);
    expect(settled).toEqual([{ ...open, resolvedAt: NOW }, field, old]);
    expect(settled[1]).toBe(field);
    expect(settled[2]).toBe(old);
  });
});
