import type { MemberRole } from '../domain/role-rules';

export interface InvitationRecord {
  id: string;
  orgId: string;
  email: string;
  role: MemberRole;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}
