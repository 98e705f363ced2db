import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, short-lived link tokens (`…?token=…`) for things fetched without a session:
 * `<base64url(orgId.expiresAtSeconds)>.<base64url(HMAC-SHA256)>`. The MAC covers the purpose,
 * the subject (what the link opens: a request, a medium, an import), the organization and the
 * expiry, so a token of one purpose or subject never opens another, and an altered organization
 * or expiry fails the MAC. Anyone holding a valid token may use it until it expires, like any
 * signed URL. Pure (node:crypto only): services' domain/ code may import it as
 * `@switchboard/service-kit/signed-link`.
 */
export interface SignedLinkInput {
  /** Bound into the MAC; every kind of link has its own (e.g. `switchboard-download`). */
  purpose: string;
  /** The id of what the link opens. */
  subject: string;
  orgId: string;
  expiresAt: Date;
}

/** What a valid, unexpired token says. */
export interface VerifiedLink {
  orgId: string;
  /** The expiry the token carries (whole seconds). */
  expiresAt: Date;
}

/** Longer tokens are refused before any parsing. */
const MAX_TOKEN_LENGTH = 300;

export function signLink(secret: string, input: SignedLinkInput): string {
  const exp = Math.floor(input.expiresAt.getTime() / 1000);
  const payload = Buffer.from(`${input.orgId}.${exp}`, 'utf8').toString('base64url');
  return `${payload}.${linkMac(secret, input.purpose, input.subject, input.orgId, exp)}`;
}

/** The organization and expiry of a valid, unexpired token; undefined for anything else. */
export function verifySignedLink(
  secret: string,
  purpose: string,
  subject: string,
  token: unknown,
  now: Date,
): VerifiedLink | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const [orgId, expText, more] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  if (!orgId || !expText || more !== undefined || !/^\d{1,12}$/.test(expText)) return undefined;
  const exp = Number(expText);
  const expected = Buffer.from(linkMac(secret, purpose, subject, orgId, exp));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  if (exp * 1000 <= now.getTime()) return undefined;
  return { orgId, expiresAt: new Date(exp * 1000) };
}

function linkMac(secret: string, purpose: string, subject: string, orgId: string, exp: number) {
  return createHmac('sha256', secret)
    .update(`${purpose}:${subject}:${orgId}:${exp}`)
    .digest('base64url');
}
