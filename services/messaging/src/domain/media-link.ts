import { signLink, verifySignedLink } from '@switchboard/service-kit/signed-link';

/**
 * Signed, expiring links to a stored inbound medium (`/media/<id>?token=…`, through the
 * gateway): service-kit's signed links over the medium under the purpose
 * `switchboard-message-media`, so no other kind of link opens a medium.
 */
const PURPOSE = 'switchboard-message-media';

export function signMediaLink(secret: string, mediaId: string, orgId: string, expiresAt: Date) {
  return signLink(secret, { purpose: PURPOSE, subject: mediaId, orgId, expiresAt });
}

/** The organization of a valid, unexpired token for this medium; undefined otherwise. */
export function verifyMediaLink(
  secret: string,
  mediaId: string,
  token: string,
  now: Date,
): { orgId: string } | undefined {
  const link = verifySignedLink(secret, PURPOSE, mediaId, token, now);
  return link && { orgId: link.orgId };
}
