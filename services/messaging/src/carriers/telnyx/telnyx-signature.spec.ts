import { generateKeyPairSync, sign } from 'node:crypto';
import { verifyTelnyxRequest } from './telnyx-signature';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const publicKeyBase64 = Buffer.from(
  publicKey.export({ format: 'jwk' }).x as string,
  'base64url',
).toString('base64');
const body = Buffer.from('{"data":{"id":"e1"}}');
const now = new Date('2026-11-29T12:00:00Z');
const ts = String(now.getTime() / 1000);
const signatureOf = (timestamp: string, raw: Buffer) =>
  sign(null, Buffer.concat([Buffer.from(`${timestamp}|`), raw]), privateKey).toString('base64');

describe('verifyTelnyxRequest', () => {
  it('accepts a signature over timestamp|raw body within the tolerance', () => {
    expect(verifyTelnyxRequest(publicKeyBase64, signatureOf(ts, body), ts, body, now, 300)).toBe(
      'valid',
    );
    const old = String(Number(ts) - 300);
    expect(verifyTelnyxRequest(publicKeyBase64, signatureOf(old, body), old, body, now, 300)).toBe(
      'valid',
    );
  });

  it('refuses a timestamp beyond ±tolerance as stale', () => {
    for (const t of [String(Number(ts) - 301), String(Number(ts) + 301)]) {
      expect(verifyTelnyxRequest(publicKeyBase64, signatureOf(t, body), t, body, now, 300)).toBe(
        'stale',
      );
    }
  });

  it('refuses another body, another timestamp, another key, and missing parts', () => {
    const sig = signatureOf(ts, body);
    expect(verifyTelnyxRequest(publicKeyBase64, sig, ts, Buffer.from('{}'), now, 300)).toBe(
      'invalid',
    );
    expect(verifyTelnyxRequest(publicKeyBase64, sig, String(Number(ts) + 1), body, now, 300)).toBe(
      'invalid',
    );
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string;
    expect(
      verifyTelnyxRequest(
        Buffer.from(other, 'base64url').toString('base64'),
        sig,
        ts,
        body,
        now,
        300,
      ),
    ).toBe('invalid');
    expect(verifyTelnyxRequest(publicKeyBase64, undefined, ts, body, now, 300)).toBe('invalid');
    expect(verifyTelnyxRequest(publicKeyBase64, sig, undefined, body, now, 300)).toBe('invalid');
    expect(verifyTelnyxRequest(publicKeyBase64, sig, ts, undefined, now, 300)).toBe('invalid');
    expect(verifyTelnyxRequest(publicKeyBase64, sig, '12x', body, now, 300)).toBe('invalid');
    expect(verifyTelnyxRequest('c2hvcnQ=', sig, ts, body, now, 300)).toBe('invalid');
  });
});
