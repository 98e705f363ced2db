import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows } from '@switchboard/tenancy';
import type { EnrollmentRecord, EnrollmentUse } from './enrollment.record';

/** SQL of enrollment_tokens, in the caller's tenant transaction. */
@Injectable()
export class EnrollmentRepository {
  async insert(
    tx: EntityManager,
    enrollment: {
      orgId: string;
      id: string;
      name: string | null;
      createdBy: string;
      now: Date;
      expiresAt: Date;
      maxUses: number;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO enrollment_tokens (org_id, id, name, created_by, created_at, expires_at, max_uses)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        enrollment.orgId,
        enrollment.id,
        enrollment.name,
        enrollment.createdBy,
        enrollment.now,
        enrollment.expiresAt,
        enrollment.maxUses,
      ],
    );
  }

  /**
   * Counts a registration with the token if it is valid and not used up (the row lock orders
   * two registrations at once: only `max_uses` of them get through).
   */
  async use(tx: EntityManager, id: string, now: Date): Promise<EnrollmentUse> {
    const used = await row<{ id: string; maxUses: number }>(
      tx,
      `UPDATE enrollment_tokens SET uses = uses + 1, last_used_at = $2
        WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses
        RETURNING id, max_uses AS "maxUses"`,
      [id, now],
    );
    if (used) return { ok: true, id: used.id, maxUses: used.maxUses };
    const valid = await row<{ id: string }>(
      tx,
      `SELECT id FROM enrollment_tokens WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2`,
      [id, now],
    );
    return { ok: false, why: valid ? 'exhausted' : 'invalid' };
  }

  /** Revokes the token (idempotent); false when there is no such token. */
  async revoke(tx: EntityManager, id: string, now: Date): Promise<boolean> {
    const revoked = await rows<{ id: string }>(
      tx,
      `UPDATE enrollment_tokens SET revoked_at = COALESCE(revoked_at, $2)
        WHERE id = $1 RETURNING id`,
      [id, now],
    );
    return revoked.length > 0;
  }

  list(tx: EntityManager): Promise<EnrollmentRecord[]> {
    return tx.query(
      `SELECT id, name, created_at AS "createdAt", expires_at AS "expiresAt",
              revoked_at AS "revokedAt", last_used_at AS "lastUsedAt", uses,
              max_uses AS "maxUses"
         FROM enrollment_tokens ORDER BY created_at DESC LIMIT 200`,
    );
  }
}
