import { describe, expect, it } from '@jest/globals';
import type { Link } from '../../src/links/index.js';
import type { SystemRecord } from '../../src/mappings/index.js';
import { pairsByCustomerpType, sortBatch } from '../../src/sync/apply-batch.js';
import { contact, employee, link } from './fixtures.js';

const DELETED_AT = new Date('2025-06-02T00:00:00.000Z');

/** linkOf over a fixed table of record id → link. */
const linksOf =
  (table: Record<string, Link>) =>
  (id: string): Link | null =>
    table[id] ?? null;

/** The batch as ids, for whole-answer comparisons. */
function idsOf(sorted: {
  pairs: { link: Link; record: SystemRecord }[];
  unpaired: SystemRecord[];
  skipped: { id: string; reason: string }[];
}) {
  return {
    pairs: sorted.pairs.map((p) => [p.record.id, p.link._id]),
    unpaired: sorted.unpaired.map((r) => r.id),
    skipped: sorted.skipped,
  };
}

describe('sortBatch', () => {
  it('sorts Customerp records into pairs, unpaired (no link, half link) and skipped (deleted, detached half link), in batch order', () => {
    const records = ['paired', 'new', 'half', 'deleted', 'detached', 'detached-paired'].map((id) =>
      employee(id, `${id}@example.com`),
    );
    const sorted = sortBatch(
      'CUSTOMERP',
      records,
      linksOf({
        paired: link('L-paired', {
          customerp: { type: 'Employee', id: 'paired' },
          crmoffice: { type: 'Contact', id: 'c1' },
        }),
        half: link('L-half', { customerp: { type: 'Employee', id: 'half' }, state: 'PENDING' }),
        deleted: link('L-deleted', {
          customerp: { type: 'Employee', id: 'deleted' },
          crmoffice: { type: 'Contact', id: 'c2' },
          deletedAt: DELETED_AT,
        }),
        detached: link('L-detached', { customerp: { type: 'Employee', id: 'detached' }, detached: true }),
        'detached-paired': link('L-detached-paired', {
          customerp: { type: 'Employee', id: 'detached-paired' },
          crmoffice: { type: 'Contact', id: 'c3' },
          detached: true,
        }),
      }),
    );
    expect(idsOf(sorted)).toEqual({
      pairs: [
        ['paired', 'L-paired'],
        ['detached-paired', 'L-detached-paired'],
      ],
      unpaired: ['new', 'half'],
      skipped: [
        { id: 'deleted', reason: 'deleted' },
        { id: 'detached', reason: 'detached' },
      ],
    });
  });

  it('sorts Crmoffice records the same way, except that a detached half link is still tracked', () => {
    const records = ['paired', 'alone', 'tracked', 'deleted', 'detached'].map((id) => contact(id, `${id}@example.com`));
    const sorted = sortBatch(
      'CRMOFFICE',
      records,
      linksOf({
        paired: link('L-paired', {
          customerp: { type: 'Employee', id: 'e1' },
          crmoffice: { type: 'Contact', id: 'paired' },
        }),
        tracked: link('L-tracked', { crmoffice: { type: 'Contact', id: 'tracked' }, kind: 'CRM_ONLY' }),
        deleted: link('L-deleted', { crmoffice: { type: 'Contact', id: 'deleted' }, deletedAt: DELETED_AT }),
        detached: link('L-detached', { crmoffice: { type: 'Contact', id: 'detached' }, detached: true }),
      }),
    );
    expect(idsOf(sorted)).toEqual({
      pairs: [['paired', 'L-paired']],
      unpaired: ['alone', 'tracked', 'detached'],
      skipped: [{ id: 'deleted', reason: 'deleted' }],
    });
  });

  it('answers an empty batch with nothing', () => {
    expect(sortBatch('CUSTOMERP', [], linksOf({}))).toEqual({ pairs: [], unpaired: [], skipped: [] });
  });
});

describe('pairsByCustomerpType', () => {
  it('groups Crmoffice contacts by the dataflow of their Customerp side, types in first-seen order', () => {
    const pair = (id: string, type: 'Employee' | 'Contact') => ({
      link: link(`L-${id}`, { customerp: { type, id: `cp-${id}` }, crmoffice: { type: 'Contact', id } }),
      record: contact(id, `${id}@example.com`),
    });
    const pairs = [pair('a', 'Contact'), pair('b', 'Employee'), pair('c', 'Contact')];
    const grouped = pairsByCustomerpType(pairs);
    expect([...grouped].map(([type, group]) => [type, group.map((p) => p.record.id)])).toEqual([
      ['Contact', ['a', 'c']],
      ['Employee', ['b']],
    ]);
  });
});
