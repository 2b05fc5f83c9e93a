import { describe, expect, it } from '@jest/globals';
import type { StoredRecord } from '../../../src/reference/core/index.js';
import { IndexedStore } from '../../../src/reference/crmoffice/indexed-store.js';

interface Person extends StoredRecord {
  email: string;
  team: string | null;
}

function people(): IndexedStore<Person, 'email' | 'team'> {
  const store = new IndexedStore<Person, 'email' | 'team'>('p', {
    email: { key: (r) => r.email.toLowerCase(), normalize: (v) => v.toLowerCase() },
    team: { key: (r) => r.team },
  });
  for (const [email, team] of [
    ['ann@example.com', 'red'],
    ['BOB@example.com', 'blue'],
    ['ann@EXAMPLE.com', 'blue'],
    ['cy@example.com', null],
    ['dee@example.com', 'red'],
  ] as const) {
    store.insert((meta) => ({ ...meta, email, team }));
  }
  return store;
}

const ids = (page: { nodes: Person[] }): string[] => page.nodes.map((r) => r.id);

describe('IndexedStore', () => {
  it('finds by any of several keys, normalised, in creation order', () => {
    const store = people();
    expect(
      ids(
        store.find([{ index: 'email', values: ['Ann@Example.com', 'bob@example.com', 'zed@example.com'] }], 10, null),
      ),
    ).toEqual(['p-1', 'p-2', 'p-3']);
    expect(ids(store.find([{ index: 'team', values: ['red', 'blue'] }], 10, null))).toEqual([
      'p-1',
      'p-2',
      'p-3',
      'p-5',
    ]);
  });

  it('combines filters with AND', () => {
    const store = people();
    const page = store.find(
      [
        { index: 'email', values: ['ann@example.com'] },
        { index: 'team', values: ['blue'] },
      ],
      10,
      null,
    );
    expect(ids(page)).toEqual(['p-3']);
  });

  it('pages a filtered list with cursors that also see records created later', () => {
    const store = people();
    const filter = [{ index: 'team' as const, values: ['red', 'blue'] }];
    const first = store.find(filter, 2, null);
    expect({ ids: ids(first), hasNextPage: first.hasNextPage }).toEqual({ ids: ['p-1', 'p-2'], hasNextPage: true });
    const second = store.find(filter, 2, first.endCursor);
    expect({ ids: ids(second), hasNextPage: second.hasNextPage }).toEqual({ ids: ['p-3', 'p-5'], hasNextPage: false });
    store.insert((meta) => ({ ...meta, email: 'eve@example.com', team: 'red' }));
    const third = store.find(filter, 2, second.endCursor);
    expect({ ids: ids(third), hasNextPage: third.hasNextPage }).toEqual({ ids: ['p-6'], hasNextPage: false });
  });

  it('keeps its indexes current on update and delete', () => {
    const store = people();
    store.update('p-1', (current, meta) => ({ ...current, ...meta, email: 'anna@example.com', team: null }));
    store.delete('p-5');
    expect(ids(store.find([{ index: 'email', values: ['ann@example.com'] }], 10, null))).toEqual(['p-3']);
    expect(ids(store.find([{ index: 'email', values: ['anna@example.com'] }], 10, null))).toEqual(['p-1']);
    expect(ids(store.find([{ index: 'team', values: ['red'] }], 10, null))).toEqual([]);
    expect([...store.idsWhere('team', ['red', 'blue'])].sort()).toEqual(['p-2', 'p-3']);
  });

  it('answers one entry per id in ids mode: null for unknown ids and for records failing a filter', () => {
    const store = people();
    const answer = store.getMany(['p-3', 'p-9', 'p-1', 'p-2'], [{ index: 'team', values: ['blue'] }]);
    expect(answer.map((r) => r?.id ?? null)).toEqual(['p-3', null, null, 'p-2']);
  });
});
