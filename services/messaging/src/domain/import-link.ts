import { signLink, verifySignedLink } from '@switchboard/service-kit/signed-link';

/** What a link lets its holder do: send an import's file once, or read its report. */
export type ImportLinkPurpose = 'upload' | 'report';

/**
 * Signed, expiring link tokens of contact imports: service-kit's signed links over the import
 * under the purpose `switchboard-contact-import-<upload|report>`. The link has no session: the
 * token says whose import it is and until when, and one kind of token never opens the other.
 */
const purposeOf = (purpose: ImportLinkPurpose) => `switchboard-contact-import-${purpose}`;

export function signImportLink(
  secret: string,
  purpose: ImportLinkPurpose,
  importId: string,
  orgId: string,
  expiresAt: Date,
): string {
  return signLink(secret, { purpose: purposeOf(purpose), subject: importId, orgId, expiresAt });
}

/** The organization of a valid, unexpired token; undefined otherwise. */
export function verifyImportLink(
  secret: string,
  purpose: ImportLinkPurpose,
  importId: string,
  token: string,
  now: Date,
): { orgId: string } | undefined {
  const link = verifySignedLink(secret, purposeOf(purpose), importId, token, now);
  return link && { orgId: link.orgId };
}
