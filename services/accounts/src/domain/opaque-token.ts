import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Opaque secrets handed to clients: a recognizable prefix (so leaked secrets can be found by
 * secret scanners and told apart) and 256 random bits, base64url. Only the SHA-256 of the whole
 * string is stored: with 256 bits of entropy a fast hash is enough (no dictionary to try), and
 * lookups stay a single indexed equality.
 */
export const TokenKind = {
  refresh: 'sbr_',
  apiToken: 'sbk_',
  invitation: 'sbi_',
  emailVerification: 'sbv_',
  passwordReset: 'sbp_',
  oidcState: 'sbs_',
} as const;
export type TokenPrefix = (typeof TokenKind)[keyof typeof TokenKind];

const RANDOM_BYTES = 32;
const BODY = /^[A-Za-z0-9_-]{43}$/;

/** A new secret with its prefix: `sbr_` + 43 base64url characters. */
export function generateToken(prefix: TokenPrefix): string {
  return `${prefix}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

/** Whether `value` has the shape of a secret of this kind (checked before any lookup). */
export function isTokenOf(prefix: TokenPrefix, value: unknown): value is string {
  return (
    typeof value === 'string' && value.startsWith(prefix) && BODY.test(value.slice(prefix.length))
  );
}

/** The stored form of a secret: SHA-256, hex. */
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
