import { Injectable } from '@nestjs/common';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import type { MemberRole } from '../domain/role-rules';
import type { InvitationRecord } from './invitation.record';

interface InvitationRow {
  id: string;
  org_id: string;
  email: string;
  role: MemberRole;
  invited_by: string | null;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS =
  'id, org_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at';
const toInvitation = (r: InvitationRow): InvitationRecord => ({
  id: r.id,
  orgId: r.org_id,
  email: r.email,
  role: r.role,
  invitedBy: r.invited_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  acceptedAt: r.accepted_at,
  revokedAt: r.revoked_at,
});

type Runner = Pick<Tx, 'query'>;

/** Invitations (a tenant table; found by token hash through the `by_token_hash` policy). */
@Injectable()
export class InvitationsRepository {
  async insert(
    tx: Runner,
    i: {
      id: string;
      orgId: string;
      email: string;
      role: MemberRole;
      tokenHash: string;
      invitedBy: string | null;
      expiresAt: Date;
    },
    now: Date,
  ): Promise<InvitationRecord> {
    const inserted = await row<InvitationRow>(
      tx,
      `INSERT INTO invitations (id, org_id, email, role, token_hash, invited_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [i.id, i.orgId, i.email, i.role, i.tokenHash, i.invitedBy, now, i.expiresAt],
    );
    return toInvitation(inserted!);
  }

  async findByHash(tx: Runner, hash: string): Promise<InvitationRecord | undefined> {
    const found = await row<InvitationRow>(
      tx,
      `SELECT ${COLUMNS} FROM invitations WHERE token_hash = $1`,
      [hash],
    );
    return found && toInvitation(found);
  }

  async lock(tx: Runner, id: string): Promise<InvitationRecord | undefined> {
    const found = await row<InvitationRow>(
      tx,
      `SELECT ${COLUMNS} FROM invitations WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return found && toInvitation(found);
  }

  /** Pending invitations of the organization (tenant set), newest first. */
  async pending(tx: Runner, orgId: string, now: Date): Promise<InvitationRecord[]> {
    const found = await rows<InvitationRow>(
      tx,
      `SELECT ${COLUMNS} FROM invitations
        WHERE org_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2
        ORDER BY created_at DESC`,
      [orgId, now],
    );
    return found.map(toInvitation);
  }

  async revokePendingFor(tx: Runner, orgId: string, email: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL`,
      [orgId, email, now],
    );
  }

  async revoke(tx: Runner, orgId: string, id: string, now: Date): Promise<boolean> {
    const count = await affectedRows(
      tx,
      `UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL`,
      [orgId, id, now],
    );
    return count > 0;
  }

  async markAccepted(tx: Runner, id: string, userId: string, now: Date): Promise<void> {
    await tx.query(`UPDATE invitations SET accepted_at = $2, accepted_by = $3 WHERE id = $1`, [
      id,
      now,
      userId,
    ]);
  }
}
