/** What a credential lookup finds: the subject (device or enrollment) and its organization. */
export interface CredentialMatch {
  orgId: string;
  subjectId: string;
  expiresAt: Date | null;
}
