import { describe, expect, it } from '@jest/globals';
import { BadUserInputError } from '../../src/errors.js';
import { decodeConflictId, encodeConflictId, linkIdOfArg, linkIdOfCursor } from '../../src/gateway/ids.js';
import { MAX_PAGE_SIZE, pageSizeOf, sliceConnection } from '../../src/gateway/paging.js';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';

const LINK = '3f2b8c1e-5a4d-4e6f-9a7b-1c2d3e4f5a6b';

describe('ids and cursors', () => {
  it('reads the link behind a unified id of the expected type', () => {
    expect(linkIdOfArg(encodeUnifiedId('Company', LINK), 'Company', 'id')).toEqual({ entity: 'Company', linkId: LINK });
    expect(linkIdOfArg(encodeUnifiedId('Company', LINK), null, 'id')).toEqual({ entity: 'Company', linkId: LINK });
  });

  it('rejects malformed ids and ids of another type with BAD_USER_INPUT naming the argument', () => {
    const rejection = (id: string, entity: 'Contact' | null, field: string) => {
      try {
        linkIdOfArg(id, entity, field);
        return null;
      } catch (error) {
        return error instanceof BadUserInputError ? [error.message, error.extensions] : error;
      }
    };
    expect(rejection('nope', null, 'id')).toEqual(['id is not a valid id', { code: 'BAD_USER_INPUT', field: 'id' }]);
    expect(rejection(encodeUnifiedId('Activity', LINK), 'Contact', 'filter.ownerId')).toEqual([
      'filter.ownerId is the id of a Activity, not of a Contact',
      { code: 'BAD_USER_INPUT', field: 'filter.ownerId' },
    ]);
  });

  it('takes a node id as the cursor of its own list only', () => {
    expect(linkIdOfCursor(null, 'Contact')).toBeNull();
    expect(linkIdOfCursor(encodeUnifiedId('Contact', LINK), 'Contact')).toBe(LINK);
    expect(() => linkIdOfCursor(encodeUnifiedId('Company', LINK), 'Contact')).toThrow(BadUserInputError);
  });

  it('round-trips conflict ids and refuses anything else', () => {
    const id = encodeConflictId(LINK, 'c0ffee');
    expect(decodeConflictId(id)).toEqual({ linkId: LINK, conflictId: 'c0ffee' });
    for (const other of [
      '',
      'x',
      encodeUnifiedId('Contact', LINK),
      Buffer.from(`Conflict:not-a-uuid:x`).toString('base64url'),
      `${id}A`,
    ]) {
      expect(decodeConflictId(other)).toBeNull();
    }
  });
});

describe('paging', () => {
  it('accepts page sizes from 0 to 100 and defaults to 20', () => {
    expect([pageSizeOf(undefined), pageSizeOf(null), pageSizeOf(0), pageSizeOf(MAX_PAGE_SIZE)]).toEqual([
      20, 20, 0, 100,
    ]);
    expect(() => pageSizeOf(101)).toThrow(new BadUserInputError('first must be between 0 and 100, got 101', 'first'));
    expect(() => pageSizeOf(-1)).toThrow(BadUserInputError);
  });

  it('cuts a page after a cursor from a whole list, counting the whole list', async () => {
    const links = ['a', 'b', 'c', 'd'].map((id) => ({ _id: id }) as Link);
    const page = sliceConnection(links, 2, 'a');
    expect([page.links.map((l) => l._id), page.hasNextPage, await page.totalCount()]).toEqual([['b', 'c'], true, 4]);
    const last = sliceConnection(links, 2, 'c');
    expect([last.links.map((l) => l._id), last.hasNextPage]).toEqual([['d'], false]);
  });
});
