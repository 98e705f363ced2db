import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredIdempotencyKey } from '../domain/idempotency';

@Injectable()
export class IdempotencyRepository {
  /**
   * Claims `key` for `messageId` in the send transaction, or returns who holds it.
   * `INSERT ... ON CONFLICT`: of concurrent requests with one key, one inserts and the others
   * wait on the unique index until it commits (then they see its row) or rolls back (then one
   * of them inserts). An expired key is taken over as if new. In the same statement (one round
   * trip, issue 17) it deletes up to `sweep` expired keys of the organization other than this
   * one — the table cannot be swept across tenants (row-level security), so each claim keeps it
   * near one day of keys; the claimed key itself is the upsert's, so no row is touched twice.
   */
  async claim(
    tx: EntityManager,
    claim: { orgId: string; key: string; fingerprint: string; messageId: string; expiresAt: Date },
    sweep = 5,
  ): Promise<{ claimed: true } | { claimed: false; holder: StoredIdempotencyKey }> {
    const inserted: unknown[] = await tx.query(
      `WITH swept AS (
         DELETE FROM idempotency_keys WHERE org_id = $1 AND key IN (
           SELECT key FROM idempotency_keys
            WHERE org_id = $1 AND expires_at <= now() AND key <> $2
            LIMIT $6 FOR UPDATE SKIP LOCKED))
       INSERT INTO idempotency_keys (org_id, key, fingerprint, message_id, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
         message_id = EXCLUDED.message_id, created_at = now(), expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= now()
       RETURNING key`,
      [claim.orgId, claim.key, claim.fingerprint, claim.messageId, claim.expiresAt, sweep],
    );
    if (inserted.length > 0) return { claimed: true };
    const rows: { fingerprint: string; message_id: string }[] = await tx.query(
      `SELECT fingerprint, message_id FROM idempotency_keys WHERE org_id = $1 AND key = $2`,
      [claim.orgId, claim.key],
    );
    if (!rows[0]) throw new Error('idempotency key vanished while claimed');
    return {
      claimed: false,
      holder: { fingerprint: rows[0].fingerprint, messageId: rows[0].message_id },
    };
  }
}
