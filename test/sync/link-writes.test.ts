import { describe, expect, it } from '@jest/globals';
import { needsSave } from '../../src/sync/link-writes.js';
import { link } from './fixtures.js';
import { digestOf, emailKeyOf } from '../../src/mappings/index.js';

const SYNCED = new Date('2025-06-01T10:00:00.000Z');

describe('needsSave', () => {
  // As the store reads it back: the e-mail as digests (storedChanges is how needsSave compares).
  const synced = link('L1', {
    snapshot: { email: digestOf('email', 'ada@example.com') },
    keys: { email: emailKeyOf('ada@example.com') },
    lastSyncedAt: SYNCED,
  });

  it('is false when nothing but lastSyncedAt would change (an echo writes nothing)', () => {
    expect(
      needsSave(synced, {
        snapshot: { email: 'ada@example.com' },
        keys: { email: 'ada@example.com' },
        state: 'IN_SYNC',
        lastSyncedAt: new Date(),
      }),
    ).toBe(false);
  });

  it('is true when a field differs', () => {
    expect(needsSave(synced, { snapshot: { email: 'ada@clients.example' } })).toBe(true);
    expect(needsSave(synced, { state: 'PENDING' })).toBe(true);
  });

  it('is true for a link never synced, even with nothing to change', () => {
    expect(needsSave(link('L2'), { state: 'IN_SYNC' })).toBe(true);
  });
});
