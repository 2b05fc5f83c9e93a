import { describe, expect, it } from '@jest/globals';
import { BULK_READ_LIMIT, BulkReadMismatchError, readInChunks } from '../../src/upstreams/index.js';

/** A bulk read that answers `answer(chunk)` and records the chunks it was asked for. */
function reader(
  answer: (chunk: string[]) => ({ id: string } | null)[],
): [(chunk: string[]) => Promise<({ id: string } | null)[]>, string[][]] {
  const calls: string[][] = [];
  return [
    (chunk) => {
      calls.push(chunk);
      return Promise.resolve(answer(chunk));
    },
    calls,
  ];
}

const asked = (chunk: string[]) => chunk.map((id) => ({ id }));

describe('readInChunks', () => {
  it('reads in chunks of BULK_READ_LIMIT and keeps the order asked, null for an unknown id', async () => {
    const ids = Array.from({ length: BULK_READ_LIMIT + 2 }, (_, i) => `r-${i}`);
    const [read, calls] = reader((chunk) => chunk.map((id) => (id === 'r-1' ? null : { id })));
    const records = await readInChunks(ids, read);
    expect(calls.map((chunk) => chunk.length)).toEqual([BULK_READ_LIMIT, 2]);
    expect(records.map((r) => r?.id ?? null)).toEqual(ids.map((id) => (id === 'r-1' ? null : id)));
  });

  it('asks nothing for no ids', async () => {
    const [read, calls] = reader(asked);
    expect(await readInChunks([], read)).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('fails loudly when a system answers records in another order', async () => {
    const [read] = reader((chunk) => asked(chunk).reverse());
    await expect(readInChunks(['a', 'b'], read)).rejects.toThrow(BulkReadMismatchError);
    await expect(readInChunks(['a', 'b'], read)).rejects.toThrow('first mismatch: asked "a", got "b"');
  });

  it('fails loudly when a system answers fewer or more entries than ids asked', async () => {
    const [short] = reader((chunk) => asked(chunk).slice(1));
    await expect(readInChunks(['a', 'b'], short)).rejects.toThrow('a bulk read of 2 ids answered 1 entries');
    const [long] = reader((chunk) => [...asked(chunk), { id: 'x' }]);
    await expect(readInChunks(['a', 'b'], long)).rejects.toThrow('a bulk read of 2 ids answered 3 entries');
  });
});
