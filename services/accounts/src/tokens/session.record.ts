export interface RefreshTokenRecord {
  id: string;
  orgId: string;
  sessionId: string;
  userId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface SessionRecord {
  id: string;
  orgId: string;
  userId: string;
  revokedAt: Date | null;
}
