import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * SMSGate signs each webhook call (PayloadSingingPlugin.kt): `X-Timestamp` is Unix seconds and
 * `X-Signature` the lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of the signing key,
 * of the raw body followed by the timestamp's digits.
 */
export function signWebhook(key: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8'))
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .update(Buffer.from(timestamp, 'utf8'))
    .digest('hex');
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * Verifies a signed call: both headers present, the timestamp an integer within `maxSkewSeconds`
 * of `nowMs` either way, the signature equal in constant time.
 */
export function verifyWebhookSignature(input: {
  key: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
  maxSkewSeconds: number;
}): SignatureCheck {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp) || !/^[0-9a-fA-F]{64}$/.test(signature)) {
    return { ok: false, reason: 'malformed' };
  }
  const seconds = Number(timestamp);
  if (Math.abs(input.nowMs / 1000 - seconds) > input.maxSkewSeconds) {
    return { ok: false, reason: 'stale' };
  }
  const expected = Buffer.from(signWebhook(input.key, input.rawBody, timestamp), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'mismatch' };
  return { ok: true, timestamp: seconds };
}
