import { createPublicKey, verify, type KeyObject } from 'node:crypto';

export type TelnyxVerification = 'valid' | 'invalid' | 'stale';

const keys = new Map<string, KeyObject | null>();

function publicKeyOf(base64: string): KeyObject | null {
  let key = keys.get(base64);
  if (key === undefined) {
    const raw = Buffer.from(base64, 'base64');
    key =
      raw.length === 32
        ? createPublicKey({
            key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
            format: 'jwk',
          })
        : null;
    if (keys.size > 1000) keys.clear();
    keys.set(base64, key);
  }
  return key;
}

/**
 * Verifies Telnyx's webhook signature: `telnyx-signature-ed25519` is the base64 Ed25519
 * signature of `${telnyx-timestamp}|${raw body}` by the account's key; the timestamp (unix
 * seconds) must be within `toleranceSeconds` of `now`. Done with node:crypto over the raw
 * bytes rather than the `telnyx` client's `webhooks.unwrap`, which verifies a decoded string
 * and reads the wall clock (ours is injected, so staleness is testable).
 */
export function verifyTelnyxRequest(
  publicKeyBase64: string,
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: Buffer | undefined,
  now: Date,
  toleranceSeconds: number,
): TelnyxVerification {
  if (!signature || !timestamp || !rawBody || !/^\d{1,12}$/.test(timestamp)) return 'invalid';
  const key = publicKeyOf(publicKeyBase64);
  const sig = Buffer.from(signature, 'base64');
  if (!key || sig.length !== 64) return 'invalid';
  const signed = Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), rawBody]);
  if (!verify(null, signed, key, sig)) return 'invalid';
  return Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds ? 'stale' : 'valid';
}
