import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { decodeUnifiedId, encodeUnifiedId, LINK_ENTITIES } from '../../src/links/index.js';

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('unified ids', () => {
  it('round-trips every entity', () => {
    for (const entity of LINK_ENTITIES) {
      const linkId = randomUUID();
      const id = encodeUnifiedId(entity, linkId);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeUnifiedId(id)).toEqual({ entity, linkId });
    }
  });

  it('gives different ids to the same link id under different entities', () => {
    const linkId = randomUUID();
    expect(encodeUnifiedId('Contact', linkId)).not.toBe(encodeUnifiedId('Company', linkId));
  });

  it('answers null, never throws, for anything it did not produce', () => {
    const linkId = randomUUID();
    const valid = encodeUnifiedId('Contact', linkId);
    // Same bytes, different spelling: the last character's unused low bits flipped.
    const last = BASE64URL_ALPHABET.indexOf(valid.at(-1)!);
    const respelled = valid.slice(0, -1) + BASE64URL_ALPHABET[last ^ 1];
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(valid, 'base64url'));

    const malformed: unknown[] = [
      '',
      'not base64!',
      `${valid}=`,
      respelled,
      base64url(`Contact${linkId}`),
      base64url(`Order:${linkId}`),
      base64url('Contact:not-a-uuid'),
      base64url(`Contact:${linkId.toUpperCase()}`),
      base64url(`Contact:${linkId}:extra`),
      base64url('Contact:'),
      42,
      null,
      undefined,
    ];
    for (const id of malformed) expect([id, decodeUnifiedId(id as string)]).toEqual([id, null]);
  });
});
