import { Injectable } from '@nestjs/common';
import { row, rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import type { MemberRole } from '../domain/role-rules';
import { toUser } from '../identity/user.record';
import type { MembershipRecord, MemberRecord } from './member.record';

interface MembershipRow {
  org_id: string;
  user_id: string;
  role: MemberRole;
  created_at: Date;
}

const toMembership = (r: MembershipRow): MembershipRecord => ({
  orgId: r.org_id,
  userId: r.user_id,
  role: r.role,
  createdAt: r.created_at,
});

type Runner = Pick<Tx, 'query'>;

/**
 * Memberships (a tenant table). Calls run in a transaction whose tenant is the organization,
 * except `forUser`, which needs the user setting (`inUserTransaction`).
 */
@Injectable()
export class MembershipsRepository {
  async insert(
    tx: Runner,
    m: { orgId: string; userId: string; role: MemberRole },
    now: Date,
  ): Promise<MembershipRecord> {
    const inserted = await row<MembershipRow>(
      tx,
      `INSERT INTO memberships (org_id, user_id, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       RETURNING org_id, user_id, role, created_at`,
      [m.orgId, m.userId, m.role, now],
    );
    return toMembership(inserted!);
  }

  async find(
    tx: Runner,
    orgId: string,
    userId: string,
    options: { lock?: boolean } = {},
  ): Promise<MembershipRecord | undefined> {
    const found = await row<MembershipRow>(
      tx,
      `SELECT org_id, user_id, role, created_at FROM memberships WHERE org_id = $1 AND user_id = $2${
        options.lock ? ' FOR UPDATE' : ''
      }`,
      [orgId, userId],
    );
    return found && toMembership(found);
  }

  /** The organization's members with their user records, oldest first. */
  async members(tx: Runner, orgId: string, userIds?: readonly string[]): Promise<MemberRecord[]> {
    const found = await rows<MembershipRow & Record<string, unknown>>(
      tx,
      `SELECT m.org_id, m.user_id, m.role, m.created_at AS membership_created_at,
              u.id, u.email, u.display_name, u.password_hash, u.email_verified_at, u.is_platform_admin,
              u.google_subject, u.created_at, u.updated_at
         FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.org_id = $1 ${userIds ? 'AND m.user_id = ANY($2::uuid[])' : ''}
        ORDER BY m.created_at, m.user_id`,
      userIds ? [orgId, userIds] : [orgId],
    );
    return found.map((r) => ({
      orgId: r.org_id,
      userId: r.user_id,
      role: r.role,
      createdAt: r.membership_created_at as Date,
      user: toUser(r as never),
    }));
  }

  /** Locks the owners' rows and counts them: decisions about the last owner hold until commit. */
  async lockOwners(tx: Runner, orgId: string): Promise<number> {
    const owners = await rows<{ user_id: string }>(
      tx,
      `SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'CUSTOMER' FOR UPDATE`,
      [orgId],
    );
    return owners.length;
  }

  async ownerIds(tx: Runner, orgId: string): Promise<string[]> {
    const owners = await rows<{ user_id: string }>(
      tx,
      `SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'CUSTOMER'`,
      [orgId],
    );
    return owners.map((o) => o.user_id);
  }

  async updateRole(
    tx: Runner,
    orgId: string,
    userId: string,
    role: MemberRole,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE memberships SET role = $3, updated_at = $4 WHERE org_id = $1 AND user_id = $2`,
      [orgId, userId, role, now],
    );
  }

  async delete(tx: Runner, orgId: string, userId: string): Promise<boolean> {
    const deleted = await rows<{ user_id: string }>(
      tx,
      `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 RETURNING user_id`,
      [orgId, userId],
    );
    return deleted.length > 0;
  }

  async deleteAll(tx: Runner, orgId: string): Promise<string[]> {
    const deleted = await rows<{ user_id: string }>(
      tx,
      `DELETE FROM memberships WHERE org_id = $1 RETURNING user_id`,
      [orgId],
    );
    return deleted.map((d) => d.user_id);
  }

  /** The user's memberships in every organization (needs `app.user_id`), oldest first. */
  async forUser(tx: Runner, userId: string): Promise<MembershipRecord[]> {
    const found = await rows<MembershipRow>(
      tx,
      `SELECT org_id, user_id, role, created_at FROM memberships WHERE user_id = $1 ORDER BY created_at, org_id`,
      [userId],
    );
    return found.map(toMembership);
  }
}
