import { createHash, randomBytes } from 'node:crypto';

/**
 * What the database keeps of a device or enrollment token (`@switchboard/auth`'s
 * `generateOpaqueToken`, prefix `sbd_` or `sbe_`): its SHA-256. A fast hash is right here
 * (unlike for passwords): the token is 256 random bits, so there is nothing to guess, and it is
 * checked on every device request.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A random secret for the phone to sign webhooks with (URL-safe, 32 characters). */
export function newSigningKey(): string {
  return randomBytes(24).toString('base64url');
}
