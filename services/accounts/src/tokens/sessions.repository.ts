import { Injectable } from '@nestjs/common';
import { affectedRows, row } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import type { RefreshTokenRecord, SessionRecord } from './session.record';
import { toUser, type UserRecord, type UserRow } from '../identity/user.record';
import {
  toOrganization,
  type OrganizationRecord,
  type OrganizationRow,
} from '../organizations/organization.record';

interface RefreshTokenRow {
  id: string;
  org_id: string;
  session_id: string;
  user_id: string;
  expires_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
}

const toRefreshToken = (r: RefreshTokenRow): RefreshTokenRecord => ({
  id: r.id,
  orgId: r.org_id,
  sessionId: r.session_id,
  userId: r.user_id,
  expiresAt: r.expires_at,
  rotatedAt: r.rotated_at,
  revokedAt: r.revoked_at,
});

type Runner = Pick<Tx, 'query'>;

/** Sessions (refresh token families) and their refresh tokens, both tenant tables. */
@Injectable()
export class SessionsRepository {
  async insertSession(
    tx: Runner,
    s: { id: string; orgId: string; userId: string },
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO sessions (id, org_id, user_id, created_at) VALUES ($1, $2, $3, $4)`,
      [s.id, s.orgId, s.userId, now],
    );
  }

  async insertRefreshToken(
    tx: Runner,
    t: {
      id: string;
      orgId: string;
      sessionId: string;
      userId: string;
      tokenHash: string;
      expiresAt: Date;
    },
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO refresh_tokens (id, org_id, session_id, user_id, token_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [t.id, t.orgId, t.sessionId, t.userId, t.tokenHash, now, t.expiresAt],
    );
  }

  /** By hash: needs `app.token_hash` (or the tenant) set on the transaction. */
  async findRefreshTokenByHash(tx: Runner, hash: string): Promise<RefreshTokenRecord | undefined> {
    const found = await row<RefreshTokenRow>(
      tx,
      `SELECT id, org_id, session_id, user_id, expires_at, rotated_at, revoked_at
         FROM refresh_tokens WHERE token_hash = $1`,
      [hash],
    );
    return found && toRefreshToken(found);
  }

  async refreshTokenById(tx: Runner, id: string): Promise<RefreshTokenRecord | undefined> {
    const found = await row<RefreshTokenRow>(
      tx,
      `SELECT id, org_id, session_id, user_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE id = $1`,
      [id],
    );
    return found && toRefreshToken(found);
  }

  /** Locks the family: refreshes of one session are decided one at a time. */
  async lockSession(tx: Runner, id: string): Promise<SessionRecord | undefined> {
    const found = await row<{
      id: string;
      org_id: string;
      user_id: string;
      revoked_at: Date | null;
    }>(tx, `SELECT id, org_id, user_id, revoked_at FROM sessions WHERE id = $1 FOR UPDATE`, [id]);
    return (
      found && {
        id: found.id,
        orgId: found.org_id,
        userId: found.user_id,
        revokedAt: found.revoked_at,
      }
    );
  }

  async markRotated(tx: Runner, tokenId: string, sessionId: string, now: Date): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET rotated_at = $2 WHERE id = $1`, [tokenId, now]);
    await tx.query(`UPDATE sessions SET last_refreshed_at = $2 WHERE id = $1`, [sessionId, now]);
  }

  /** Revokes a family: the session and every refresh token in it. */
  async revokeSession(tx: Runner, sessionId: string, reason: string, now: Date): Promise<boolean> {
    const count = await affectedRows(
      tx,
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, now, reason],
    );
    await tx.query(
      `UPDATE refresh_tokens SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL`,
      [sessionId, now],
    );
    return count > 0;
  }

  /**
   * Revokes the user's sessions visible to the transaction: in one organization (tenant set)
   * or in all (user setting). Returns how many were live.
   */
  async revokeSessionsOfUser(
    tx: Runner,
    userId: string,
    reason: string,
    now: Date,
    orgId?: string,
  ): Promise<number> {
    const params: unknown[] = [userId, now, reason];
    const inOrg = orgId ? ` AND org_id = $4` : '';
    if (orgId) params.push(orgId);
    const count = await affectedRows(
      tx,
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL${inOrg}`,
      params,
    );
    await tx.query(
      `UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL${orgId ? ' AND org_id = $3' : ''}`,
      orgId ? [userId, now, orgId] : [userId, now],
    );
    return count;
  }

  /** Revokes every other live session of the user (a password change keeps the current one). */
  async revokeOtherSessionsOfUser(
    tx: Runner,
    userId: string,
    keepSessionId: string,
    reason: string,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $4
        WHERE user_id = $1 AND id <> $3 AND revoked_at IS NULL`,
      [userId, now, keepSessionId, reason],
    );
    await tx.query(
      `UPDATE refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND session_id <> $3 AND revoked_at IS NULL`,
      [userId, now, keepSessionId],
    );
  }

  /**
   * Who a refresh token of (`userId`, `orgId`) speaks for, read in the refresh's transaction
   * (tenant entered): the user, their role in the organization and the organization; undefined
   * when the user or the membership is gone.
   */
  async subjectOf(
    tx: Runner,
    userId: string,
    orgId: string,
  ): Promise<
    { user: UserRecord; role: 'CUSTOMER' | 'USER'; organization: OrganizationRecord } | undefined
  > {
    const found = await row<{ u: UserRow; o: OrganizationRow; role: 'CUSTOMER' | 'USER' }>(
      tx,
      `SELECT to_jsonb(u) AS u, to_jsonb(o) AS o, m.role
         FROM memberships m
         JOIN users u ON u.id = m.user_id
         JOIN organizations o ON o.id = m.org_id
        WHERE m.user_id = $1 AND m.org_id = $2`,
      [userId, orgId],
    );
    if (!found) return undefined;
    return {
      user: toUser(jsonDates(found.u)),
      role: found.role,
      organization: toOrganization(jsonDates(found.o)),
    };
  }

  /** The email of a user (to warn them of a reused refresh token). */
  async emailOf(tx: Runner, userId: string): Promise<string | undefined> {
    return (await row<{ email: string }>(tx, `SELECT email FROM users WHERE id = $1`, [userId]))
      ?.email;
  }
}

/** `to_jsonb` turns timestamps into strings: back to Dates (columns named `*_at`). */
function jsonDates<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k.endsWith('_at') && typeof v === 'string' ? new Date(v) : v,
    ]),
  ) as T;
}
