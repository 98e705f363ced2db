import { Injectable } from '@nestjs/common';
import { row, rows } from '@switchboard/tenancy';
import type { Tx } from '../common/db-context';
import {
  toOrganization,
  type OrganizationRecord,
  type OrganizationRow,
} from '../organizations/organization.record';

type Runner = Pick<Tx, 'query'>;

/**
 * All SQL of the organization purge and the hourly housekeeping. The purge is one operation
 * over every table of a tenant (and the users it leaves without an organization), so its SQL
 * lives here rather than spread over each feature's repository.
 */
@Injectable()
export class PurgeRepository {
  /** Closed organizations whose purge date has come, oldest first. */
  async dueForPurge(tx: Runner, now: Date, limit: number): Promise<string[]> {
    const found = await rows<{ id: string }>(
      tx,
      `SELECT id FROM organizations WHERE status = 'PENDING_DELETION' AND purge_at <= $1
        ORDER BY purge_at LIMIT $2`,
      [now, limit],
    );
    return found.map((r) => r.id);
  }

  /** Locks the organization unless another transaction holds it (another replica); its row. */
  async lockOrganization(tx: Runner, orgId: string): Promise<OrganizationRecord | undefined> {
    const found = await row<OrganizationRow>(
      tx,
      `SELECT * FROM organizations WHERE id = $1 FOR UPDATE SKIP LOCKED`,
      [orgId],
    );
    return found && toOrganization(found);
  }

  /** Deletes the tenant's memberships, sessions, API tokens and invitations. */
  async deleteTenantData(
    tx: Runner,
    orgId: string,
  ): Promise<{ memberIds: string[]; apiTokenIds: string[] }> {
    const members = await rows<{ user_id: string }>(
      tx,
      `DELETE FROM memberships WHERE org_id = $1 RETURNING user_id`,
      [orgId],
    );
    await tx.query(`DELETE FROM sessions WHERE org_id = $1`, [orgId]);
    const tokens = await rows<{ id: string }>(
      tx,
      `DELETE FROM api_tokens WHERE org_id = $1 RETURNING id`,
      [orgId],
    );
    await tx.query(`DELETE FROM invitations WHERE org_id = $1`, [orgId]);
    return { memberIds: members.map((m) => m.user_id), apiTokenIds: tokens.map((t) => t.id) };
  }

  /**
   * Deletes the user if no organization is left to it and it is no platform admin; whether it
   * did. Needs the user setting (`app.user_id`) to see its memberships in every organization.
   */
  async deleteUserIfOrphaned(tx: Runner, userId: string): Promise<boolean> {
    const deleted = await rows<{ id: string }>(
      tx,
      `DELETE FROM users u WHERE u.id = $1 AND NOT u.is_platform_admin
          AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
        RETURNING id`,
      [userId],
    );
    return deleted.length > 0;
  }

  /** The organization DELETED: its name blanked, its slug free again (see the schema). */
  async markDeleted(tx: Runner, orgId: string, now: Date): Promise<OrganizationRecord> {
    const updated = await row<OrganizationRow>(
      tx,
      `UPDATE organizations SET status = 'DELETED', deleted_at = $2, name = '', updated_at = $2
        WHERE id = $1 RETURNING *`,
      [orgId, now],
    );
    return toOrganization(updated!);
  }

  /** Forgets mailed tokens that expired, or were used before `usedBefore`. */
  async deleteSpentUserTokens(tx: Runner, now: Date, usedBefore: Date): Promise<void> {
    await tx.query(`DELETE FROM user_tokens WHERE expires_at < $1 OR used_at < $2`, [
      now,
      usedBefore,
    ]);
  }

  /** Ids of every organization not deleted (housekeeping goes through them one tenant at a time). */
  async organizationsNotDeleted(tx: Runner): Promise<string[]> {
    const found = await rows<{ id: string }>(
      tx,
      `SELECT id FROM organizations WHERE status <> 'DELETED'`,
    );
    return found.map((r) => r.id);
  }

  /**
   * Deletes the tenant's sessions that are over — revoked before `revokedBefore`, or whose every
   * refresh token has expired — and its invitations expired before `expiredBefore`.
   */
  async deleteFinished(
    tx: Runner,
    orgId: string,
    now: Date,
    revokedBefore: Date,
    expiredBefore: Date,
  ): Promise<void> {
    await tx.query(
      `DELETE FROM sessions s WHERE s.org_id = $1 AND (s.revoked_at < $2 OR NOT EXISTS (
         SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id AND r.expires_at > $3))`,
      [orgId, revokedBefore, now],
    );
    await tx.query(`DELETE FROM invitations WHERE org_id = $1 AND expires_at < $2`, [
      orgId,
      expiredBefore,
    ]);
  }
}
