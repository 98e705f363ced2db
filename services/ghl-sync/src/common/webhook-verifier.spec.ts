import { generateKeyPairSync, sign } from 'node:crypto';
import type { GhlSyncConfig } from '../config';
import { WebhookVerifier } from './webhook-verifier';

const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const body = Buffer.from('{"type":"INSTALL"}');
const edSig = sign(null, body, ed.privateKey).toString('base64');
const rsaSig = sign('sha256', body, rsa.privateKey).toString('base64');

const verifier = (legacy: boolean) =>
  new WebhookVerifier({
    GHL_WEBHOOK_PUBLIC_KEY: ed.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    GHL_WEBHOOK_RSA_PUBLIC_KEY: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    GHL_ACCEPT_LEGACY_RSA_SIGNATURE: legacy,
  } as GhlSyncConfig);

const code = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('WebhookVerifier', () => {
  it('accepts the legacy RSA header on app webhooks only behind the flag', () => {
    expect(code(() => verifier(false).verifyApp(body, { 'x-wh-signature': rsaSig }))).toBe(
      'INVALID_SIGNATURE',
    );
    expect(code(() => verifier(true).verifyApp(body, { 'x-wh-signature': rsaSig }))).toBe('ok');
    expect(code(() => verifier(true).verifyApp(body, { 'x-ghl-signature': edSig }))).toBe('ok');
  });

  it('takes only Ed25519 on the provider Delivery URL, even with the flag', () => {
    expect(code(() => verifier(true).verifyProvider(body, { 'x-wh-signature': rsaSig }))).toBe(
      'INVALID_SIGNATURE',
    );
    expect(code(() => verifier(true).verifyProvider(body, { 'x-ghl-signature': edSig }))).toBe(
      'ok',
    );
    expect(
      code(() => verifier(true).verifyProvider(Buffer.alloc(0), { 'x-ghl-signature': edSig })),
    ).toBe('INVALID_SIGNATURE');
  });
});
