import { describe, expect, it } from '@jest/globals';
import { batchOf, lastChangeAtOf, latestPerRecord } from '../../src/sync/feed-reader.js';
import { change } from './fixtures.js';

describe('latestPerRecord', () => {
  it('keeps the newest change of each record, in the order of those newest changes', () => {
    const page = [
      change('a', 'UPSERT', '2025-06-01T10:00:00.000Z', 1),
      change('b', 'UPSERT', '2025-06-01T10:01:00.000Z', 1),
      change('a', 'UPSERT', '2025-06-01T10:02:00.000Z', 2),
      change('c', 'UPSERT', '2025-06-01T10:03:00.000Z', 1),
      change('b', 'DELETE', '2025-06-01T10:04:00.000Z', 2),
    ];
    expect(latestPerRecord(page)).toEqual([
      change('a', 'UPSERT', '2025-06-01T10:02:00.000Z', 2),
      change('c', 'UPSERT', '2025-06-01T10:03:00.000Z', 1),
      change('b', 'DELETE', '2025-06-01T10:04:00.000Z', 2),
    ]);
  });

  it('answers an empty page with nothing', () => {
    expect(latestPerRecord([])).toEqual([]);
  });
});

describe('batchOf', () => {
  it('splits the latest changes into ids to upsert and ids to delete, each in order', () => {
    const latest = [
      change('a', 'UPSERT', '2025-06-01T10:00:00.000Z'),
      change('b', 'DELETE', '2025-06-01T10:01:00.000Z'),
      change('c', 'UPSERT', '2025-06-01T10:02:00.000Z'),
    ];
    expect(batchOf(latest)).toEqual({ upserts: ['a', 'c'], deletes: ['b'] });
  });

  it('reads a record created and deleted in one page as one delete', () => {
    expect(
      batchOf(
        latestPerRecord([
          change('a', 'UPSERT', '2025-06-01T10:00:00.000Z'),
          change('a', 'DELETE', '2025-06-01T10:01:00.000Z'),
        ]),
      ),
    ).toEqual({ upserts: [], deletes: ['a'] });
  });
});

describe('lastChangeAtOf', () => {
  const watchingSince = new Date('2025-06-01T10:30:00.000Z');

  it('is the newest change when it came after we started watching (delay we caused)', () => {
    const page = [
      change('a', 'UPSERT', '2025-06-01T10:45:00.000Z'),
      change('b', 'UPSERT', '2025-06-01T10:50:00.000Z'),
      change('c', 'UPSERT', '2025-06-01T10:40:00.000Z'),
    ];
    expect(lastChangeAtOf(page, watchingSince)).toEqual(new Date('2025-06-01T10:50:00.000Z'));
  });

  it('is the time we started watching when every change is older (a backlog we catch up on)', () => {
    const page = [change('a', 'UPSERT', '2025-05-01T08:00:00.000Z'), change('b', 'UPSERT', '2025-05-02T08:00:00.000Z')];
    expect(lastChangeAtOf(page, watchingSince)).toEqual(watchingSince);
  });

  it('is null for an empty page (no lag to record)', () => {
    expect(lastChangeAtOf([], watchingSince)).toBeNull();
  });
});
