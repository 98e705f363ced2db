import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, row, rows, setRlsSetting } from '@switchboard/tenancy';
import { USER_SETTING } from '../common/db-context';

/** A user of the organization, or the whole organization. */
export type AccountsScope = { userId: string } | { organization: true };

type Row = { id: string } & Record<string, unknown>;

/**
 * SQL of accounts' part of privacy requests, in the tenant's transaction: the tenant tables
 * through row-level security, `users` and `organizations` (global) by the ids found there.
 * Never a password hash, a token hash or a secret.
 */
@Injectable()
export class AccountsPrivacyRepository {
  /** The organization of the transaction's tenant. */
  async organization(tx: EntityManager): Promise<Row[]> {
    return rows(
      tx,
      `SELECT id, name, slug, timezone, default_country AS "defaultCountry", status,
              created_at AS "createdAt", closed_at AS "closedAt"
         FROM organizations WHERE id = NULLIF(current_setting('app.org_id', true), '')::uuid`,
    );
  }

  async members(tx: EntityManager, scope: AccountsScope, after: string | null, limit: number) {
    return rows<Row>(
      tx,
      `SELECT u.id, u.email, u.display_name AS "displayName", m.role, m.created_at AS "memberSince",
              u.email_verified_at AS "emailVerifiedAt", u.password_changed_at AS "passwordChangedAt",
              (u.google_subject IS NOT NULL) AS "googleSignIn", u.created_at AS "createdAt"
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE ($1::uuid IS NULL OR m.user_id = $1) AND ($2::uuid IS NULL OR u.id > $2)
        ORDER BY u.id LIMIT $3`,
      ['userId' in scope ? scope.userId : null, after, limit],
    );
  }

  async sessions(tx: EntityManager, scope: AccountsScope, after: string | null, limit: number) {
    if (!('userId' in scope)) return [];
    return rows<Row>(
      tx,
      `SELECT id, created_at AS "createdAt", last_refreshed_at AS "lastRefreshedAt",
              revoked_at AS "revokedAt", revoked_reason AS "revokedReason"
         FROM sessions WHERE user_id = $1 AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [scope.userId, after, limit],
    );
  }

  async apiTokens(tx: EntityManager, scope: AccountsScope, after: string | null, limit: number) {
    return rows<Row>(
      tx,
      `SELECT id, name, prefix, scopes, created_by AS "createdBy", created_at AS "createdAt",
              expires_at AS "expiresAt", last_used_at AS "lastUsedAt", use_count::int AS "useCount",
              revoked_at AS "revokedAt"
         FROM api_tokens
        WHERE ($1::uuid IS NULL OR created_by = $1) AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      ['userId' in scope ? scope.userId : null, after, limit],
    );
  }

  async invitations(tx: EntityManager, scope: AccountsScope, after: string | null, limit: number) {
    return rows<Row>(
      tx,
      `SELECT i.id, i.email, i.role, i.invited_by AS "invitedBy", i.created_at AS "createdAt",
              i.expires_at AS "expiresAt", i.accepted_at AS "acceptedAt", i.revoked_at AS "revokedAt"
         FROM invitations i
        WHERE ($1::uuid IS NULL OR i.email = (SELECT email FROM users WHERE id = $1)
                OR i.invited_by = $1)
          AND ($2::uuid IS NULL OR i.id > $2)
        ORDER BY i.id LIMIT $3`,
      ['userId' in scope ? scope.userId : null, after, limit],
    );
  }

  /** The user's role in this organization, and how many owners it has. */
  async membership(
    tx: EntityManager,
    userId: string,
  ): Promise<{ role: string; owners: number } | undefined> {
    return row(
      tx,
      `SELECT m.role, (SELECT count(*)::int FROM memberships WHERE role = 'CUSTOMER') AS owners
         FROM memberships m WHERE m.user_id = $1`,
      [userId],
    );
  }

  /** The user's sessions in this organization (refresh tokens with them) and membership. */
  async removeMember(
    tx: EntityManager,
    userId: string,
  ): Promise<{ sessions: number; memberships: number }> {
    const sessions = await affectedRows(tx, `DELETE FROM sessions WHERE user_id = $1`, [userId]);
    await tx.query(`UPDATE api_tokens SET created_by = NULL WHERE created_by = $1`, [userId]);
    await tx.query(`UPDATE api_tokens SET revoked_by = NULL WHERE revoked_by = $1`, [userId]);
    await tx.query(`UPDATE invitations SET invited_by = NULL WHERE invited_by = $1`, [userId]);
    await tx.query(`UPDATE invitations SET accepted_by = NULL WHERE accepted_by = $1`, [userId]);
    await tx.query(
      `DELETE FROM invitations WHERE email = (SELECT email FROM users WHERE id = $1)`,
      [userId],
    );
    const memberships = await affectedRows(tx, `DELETE FROM memberships WHERE user_id = $1`, [
      userId,
    ]);
    return { sessions, memberships };
  }

  /** Memberships the user still has in any organization (their own rows, `app.user_id`). */
  async otherMemberships(tx: EntityManager, userId: string): Promise<number> {
    await setRlsSetting(tx, USER_SETTING, userId);
    const found = await row<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM memberships WHERE user_id = $1`,
      [userId],
    );
    return found?.n ?? 0;
  }

  /** The account itself, anonymized: no email, name, password or Google link; no mail tokens. */
  async anonymizeUser(tx: EntityManager, userId: string, pseudonym: string, at: Date) {
    await tx.query(`DELETE FROM user_tokens WHERE user_id = $1`, [userId]);
    return affectedRows(
      tx,
      `UPDATE users SET email = $2, display_name = '', password_hash = NULL,
              google_subject = NULL, email_verified_at = NULL, updated_at = $3
        WHERE id = $1 AND NOT is_platform_admin`,
      [userId, `${pseudonym}@erased.invalid`, at],
    );
  }
}
