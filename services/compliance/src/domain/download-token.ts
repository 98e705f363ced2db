import { signLink, verifySignedLink } from '@switchboard/service-kit/signed-link';

/**
 * Signed, expiring download tokens: service-kit's signed links (`<base64url(orgId.exp)>.<MAC>`)
 * over the request id under the purpose `switchboard-download`. The token says whose request it
 * is (the download has no session) and until when; anyone holding a valid token may download,
 * like any signed URL, so it is shown only to the requester and expires (24 h by default).
 */
const PURPOSE = 'switchboard-download';

export function signDownloadToken(
  secret: string,
  requestId: string,
  orgId: string,
  expiresAt: Date,
): string {
  return signLink(secret, { purpose: PURPOSE, subject: requestId, orgId, expiresAt });
}

/** The organization of a valid, unexpired token for `requestId`; undefined otherwise. */
export function verifyDownloadToken(
  secret: string,
  requestId: string,
  token: string,
  now: Date,
): { orgId: string; expiresAt: Date } | undefined {
  return verifySignedLink(secret, PURPOSE, requestId, token, now);
}
