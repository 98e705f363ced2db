import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link lets its holder do: send an import's file once, or read its report. */
export type ImportLinkPurpose = 'upload' | 'report';

/**
 * Signed, expiring link tokens of contact imports: `<base64url(orgId.exp)>.<HMAC-SHA256>` over
 * the purpose, the import, the organization and the expiry. The link has no session: the token
 * says whose import it is and until when (like compliance's download tokens, under another
 * purpose string, so one kind of token never opens the other).
 */
export function signImportLink(
  secret: string,
  purpose: ImportLinkPurpose,
  importId: string,
  orgId: string,
  expiresAt: Date,
): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  const payload = Buffer.from(`${orgId}.${exp}`, 'utf8').toString('base64url');
  return `${payload}.${mac(secret, purpose, importId, orgId, exp)}`;
}

/** The organization of a valid, unexpired token; undefined otherwise. */
export function verifyImportLink(
  secret: string,
  purpose: ImportLinkPurpose,
  importId: string,
  token: string,
  now: Date,
): { orgId: string } | undefined {
  if (typeof token !== 'string' || token.length > 300) return undefined;
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return undefined;
  const [orgId, expText, more] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  if (!orgId || !expText || more !== undefined || !/^\d{1,12}$/.test(expText)) return undefined;
  const exp = Number(expText);
  const expected = Buffer.from(mac(secret, purpose, importId, orgId, exp));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  if (exp * 1000 <= now.getTime()) return undefined;
  return { orgId };
}

function mac(secret: string, purpose: string, importId: string, orgId: string, exp: number) {
  return createHmac('sha256', secret)
    .update(`switchboard-contact-import-${purpose}:${importId}:${orgId}:${exp}`)
    .digest('base64url');
}
