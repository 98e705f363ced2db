import { createHash, randomBytes } from 'node:crypto';

/** Prefixes make our secrets recognisable (log redaction, secret scanners). */
export const DEVICE_TOKEN_PREFIX = 'sbd_';
export const ENROLLMENT_TOKEN_PREFIX = 'sbe_';

/** A new secret: the prefix and 32 random bytes, base64url (256 bits of entropy). */
export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/**
 * What the database keeps of a token: its SHA-256. A fast hash is right here (unlike for
 * passwords): the token is 256 random bits, so there is nothing to guess, and it is checked on
 * every device request.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Whether a string could be one of our tokens of this kind (cheap check before any lookup). */
export function looksLikeToken(token: string | null | undefined, prefix: string): token is string {
  return !!token && token.length === prefix.length + 43 && token.startsWith(prefix);
}

/** A random secret for the phone to sign webhooks with (URL-safe, 32 characters). */
export function newSigningKey(): string {
  return randomBytes(24).toString('base64url');
}
