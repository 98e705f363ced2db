import type { MemberRole } from '../domain/role-rules';
import type { UserRecord } from '../identity/user.record';

export interface MembershipRecord {
  orgId: string;
  userId: string;
  role: MemberRole;
  createdAt: Date;
}

export interface MemberRecord extends MembershipRecord {
  user: UserRecord;
}
