/** An enrollment token as the organization sees it (never its secret). */
export interface EnrollmentRecord {
  id: string;
  name: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  uses: number;
  /** How many phones may register with it (1: single-use). */
  maxUses: number;
}

/** What presenting an enrollment token at registration comes to. */
export type EnrollmentUse =
  { ok: true; id: string; maxUses: number } | { ok: false; why: 'invalid' | 'exhausted' };
