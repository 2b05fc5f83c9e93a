import { describe, expect, it } from '@jest/globals';
import { signWebhook, verifyWebhook } from '../../src/webhook-signature.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY =
  '{"system":"CUSTOMERP","entity":"EMPLOYEE","id":"emp-1","op":"UPSERT","version":2,"at":"2026-01-01T00:00:00.000Z"}';
const T = 1_780_000_000;

describe('webhook signature (t=<unix>,v1=<hex HMAC-SHA256 of "t.body">)', () => {
  it('accepts what was signed with the secret, within five minutes either way', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(header).toMatch(/^t=1780000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, header, BODY, T + 300)).toMatchObject({ ok: true, timestamp: T });
    expect(verifyWebhook(SECRET, header, BODY, T - 300)).toMatchObject({ ok: true });
  });

  it('refuses another secret, another body, another timestamp, an old one, and headers that are not the scheme', () => {
    const header = signWebhook(SECRET, BODY, T);
    expect(verifyWebhook('whsec-another-secret-000', header, BODY, T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(SECRET, header, BODY.replace('emp-1', 'emp-2'), T)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyWebhook(SECRET, header.replace(`t=${T}`, `t=${T + 1}`), BODY, T)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyWebhook(SECRET, header, BODY, T + 301)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhook(SECRET, undefined, BODY, T)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWebhook(SECRET, `t=${T}`, BODY, T)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyWebhook(SECRET, `v1=${'0'.repeat(64)}`, BODY, T)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts any one matching v1 among several (a sender rotating its secret)', () => {
    const good = signWebhook(SECRET, BODY, T).split(',v1=')[1];
    expect(verifyWebhook(SECRET, `t=${T},v1=${'a'.repeat(64)},v1=${good}`, BODY, T)).toMatchObject({
      ok: true,
      digest: good,
    });
  });
});
