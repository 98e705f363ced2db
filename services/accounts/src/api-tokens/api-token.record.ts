import type { Scope } from '@switchboard/auth';

export interface ApiTokenRecord {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  useCount: number;
  revokedAt: Date | null;
}
