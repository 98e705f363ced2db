import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * GHL's webhook public keys from configuration: a PEM, or the base64 body of an SPKI key (the
 * form GHL's Webhook Integration Guide publishes the Ed25519 key in).
 */
export function publicKeyFrom(configured: string): KeyObject {
  const text = configured.trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey(text);
  return createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
}

/**
 * A signature header as sent, or undefined when there is none: missing, empty, or the literal
 * `N/A` some GHL configurations send (treated as missing, never as a value to check).
 */
export function signatureOf(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value.toUpperCase() === 'N/A') return undefined;
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `X-GHL-Signature`: base64 Ed25519 (64 bytes) over the raw body bytes, nothing prefixed. */
export function verifyEd25519(key: KeyObject, rawBody: Buffer, signature: string): boolean {
  if (!BASE64.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  try {
    return verify(null, rawBody, key, bytes);
  } catch {
    return false;
  }
}

/** The legacy `X-WH-Signature`: base64 RSA-SHA256 over the raw body bytes. */
export function verifyRsaSha256(key: KeyObject, rawBody: Buffer, signature: string): boolean {
  if (!BASE64.test(signature)) return false;
  try {
    return verify('sha256', rawBody, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
