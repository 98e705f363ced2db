import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring download tokens: `<base64url(orgId.expiresAtSeconds)>.<base64url(HMAC-SHA256)>`
 * over the request id, the organization and the expiry. The token says whose request it is
 * (the download has no session) and until when; anyone holding a valid token may download,
 * like any signed URL, so it is shown only to the requester and expires (24 h by default).
 */
export function signDownloadToken(
  secret: string,
  requestId: string,
  orgId: string,
  expiresAt: Date,
): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const payload = Buffer.from(`${orgId}.${exp}`, 'utf8').toString('base64url');
  return `${payload}.${mac(secret, requestId, orgId, exp)}`;
}

/** The organization of a valid, unexpired token for `requestId`; undefined otherwise. */
export function verifyDownloadToken(
  secret: string,
  requestId: string,
  token: string,
  now: Date,
): { orgId: string; expiresAt: Date } | undefined {
  if (typeof token !== 'string' || token.length > 300) return undefined;
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const [orgId, expText, more] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  if (!orgId || !expText || more !== undefined || !/^\d{1,12}$/.test(expText)) return undefined;
  const exp = Number(expText);
  const expected = Buffer.from(mac(secret, requestId, orgId, exp));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  if (exp * 1000 <= now.getTime()) return undefined;
  return { orgId, expiresAt: new Date(exp * 1000) };
}

function mac(secret: string, requestId: string, orgId: string, exp: number): string {
  return createHmac('sha256', secret)
    .update(`switchboard-download:${requestId}:${orgId}:${exp}`)
    .digest('base64url');
}
