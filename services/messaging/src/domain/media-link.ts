import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring links to a stored inbound medium (`/media/<id>?token=…`, through the
 * gateway): `<base64url(orgId.exp)>.<HMAC-SHA256>` over a purpose of its own, the medium, the
 * organization and the expiry — the scheme of contact-import links (domain/import-link.ts) and
 * compliance downloads, under another purpose string so one kind never opens another.
 */
export function signMediaLink(secret: string, mediaId: string, orgId: string, expiresAt: Date) {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const payload = Buffer.from(`${orgId}.${exp}`, 'utf8').toString('base64url');
  return `${payload}.${mac(secret, mediaId, orgId, exp)}`;
}

/** The organization of a valid, unexpired token for this medium; undefined otherwise. */
export function verifyMediaLink(
  secret: string,
  mediaId: string,
  token: string,
  now: Date,
): { orgId: string } | undefined {
  if (typeof token !== 'string' || token.length > 300) return undefined;
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const [orgId, expText, more] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  if (!orgId || !expText || more !== undefined || !/^\d{1,12}$/.test(expText)) return undefined;
  const exp = Number(expText);
  const expected = Buffer.from(mac(secret, mediaId, orgId, exp));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  if (exp * 1000 <= now.getTime()) return undefined;
  return { orgId };
}

function mac(secret: string, mediaId: string, orgId: string, exp: number) {
  return createHmac('sha256', secret)
    .update(`switchboard-message-media:${mediaId}:${orgId}:${exp}`)
    .digest('base64url');
}
