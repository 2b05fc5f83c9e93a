import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature on a webhook notification, the scheme payment providers use (Stripe's
 * `Stripe-Signature`): `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. Signing
 * the timestamp with the body lets a receiver refuse old deliveries without trusting any other header.
 * The reference systems sign with it and the gateway verifies with it: the one definition of the scheme.
 */
export const SIGNATURE_HEADER = 'x-signature';

/** A delivery signed longer ago (or further ahead) than this is refused. */
export const SIGNATURE_TOLERANCE_S = 300;

/** At least 128 bits, printable ASCII without spaces (it travels in JSON and in settings). */
export const WEBHOOK_SECRET_PATTERN = /^[\x21-\x7e]{16,}$/;

export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${digestOf(secret, unixSeconds, body)}`;
}

export type SignatureVerdict =
  | { ok: true; timestamp: number; /** the matching v1 digest: what a replay guard remembers */ digest: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

/**
 * Checks a signature header against the raw body. Every v1 entry is compared in constant time (a
 * sender rotating secrets may send several). The timestamp is judged only after the digest matched,
 * so an unsigned request learns nothing about the clock.
 */
export function verifyWebhook(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds: number = SIGNATURE_TOLERANCE_S,
): SignatureVerdict {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(digestOf(secret, timestamp, body), 'utf8');
  const digest = candidates.find((candidate) => timingSafeEqual(Buffer.from(candidate, 'utf8'), expected));
  if (digest === undefined) return { ok: false, reason: 'mismatch' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp, digest };
}

function digestOf(secret: string, unixSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
}
