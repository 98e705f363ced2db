import { createHash } from 'node:crypto';

/** SHA-256 (hex) of a value that must not be stored as such (an email, a token). */
export function rateLimitHash(value: string): string {
  return createHash('sha256').update(`rate-limit:${value}`).digest('hex');
}

/**
 * Key helpers. A key names what a request counts against (`ip:203.0.113.7`, `user:<id>`,
 * `email:<sha256>`). Personal data and secrets go in only as a SHA-256 (`hashed`): the limiter
 * table refuses any key with an `@`.
 */
export const rateLimitKeys = {
  ip: (ip: string) => `ip:${ip}`,
  user: (userId: string) => `user:${userId}`,
  org: (orgId: string) => `org:${orgId}`,
  /** `<kind>:<sha256 of value>`. */
  hashed: (kind: string, value: string) => `${kind}:${rateLimitHash(value)}`,
};
