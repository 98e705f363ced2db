import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The stored form of an opaque secret (made and recognised by `@switchboard/auth`'s
 * `generateOpaqueToken`/`isOpaqueToken`: a registered prefix and 256 random bits): SHA-256, hex.
 * With 256 bits of entropy a fast hash is enough (no dictionary to try), and lookups stay a
 * single indexed equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * What lists show of an API token: the prefix and the first 8 characters of the random part
 * (48 bits): enough to tell tokens apart, far too little to guess the rest.
 */
export function displayPrefix(token: string): string {
  const at = token.indexOf('_') + 1;
  return token.slice(0, at + 8);
}

/** Constant-time comparison of two strings (e.g. a shared secret header). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
