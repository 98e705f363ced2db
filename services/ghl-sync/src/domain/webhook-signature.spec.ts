import { generateKeyPairSync, sign } from 'node:crypto';
import { publicKeyFrom, signatureOf, verifyEd25519, verifyRsaSha256 } from './webhook-signature';

const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const body = Buffer.from('{"messageId":"m1","type":"SMS"}');

describe('GHL webhook signatures', () => {
  it('reads the key as a PEM or as the base64 SPKI body GHL publishes', () => {
    const der = ed.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const pem = ed.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const sig = sign(null, body, ed.privateKey).toString('base64');
    expect(verifyEd25519(publicKeyFrom(der), body, sig)).toBe(true);
    expect(verifyEd25519(publicKeyFrom(pem), body, sig)).toBe(true);
  });

  it('verifies the exact bytes: a re-serialized body, another key or a malformed signature fail', () => {
    const key = publicKeyFrom(ed.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const sig = sign(null, body, ed.privateKey).toString('base64');
    expect(verifyEd25519(key, Buffer.from('{"messageId": "m1","type":"SMS"}'), sig)).toBe(false);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(verifyEd25519(key, body, sign(null, body, other).toString('base64'))).toBe(false);
    expect(verifyEd25519(key, body, 'not base64!')).toBe(false);
    expect(verifyEd25519(key, body, Buffer.alloc(10).toString('base64'))).toBe(false);
  });

  it('verifies the legacy RSA-SHA256 header', () => {
    const key = publicKeyFrom(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(
      verifyRsaSha256(key, body, sign('sha256', body, rsa.privateKey).toString('base64')),
    ).toBe(true);
    expect(
      verifyRsaSha256(
        key,
        Buffer.from('x'),
        sign('sha256', body, rsa.privateKey).toString('base64'),
      ),
    ).toBe(false);
  });

  it('treats a missing, empty or N/A header as no signature', () => {
    expect(signatureOf(undefined)).toBeUndefined();
    expect(signatureOf('  ')).toBeUndefined();
    expect(signatureOf('N/A')).toBeUndefined();
    expect(signatureOf('n/a')).toBeUndefined();
    expect(signatureOf(['abc=', 'x'])).toBe('abc=');
  });
});
