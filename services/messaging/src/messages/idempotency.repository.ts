import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredIdempotencyKey } from '../domain/idempotency';
import type { MessageRecord } from './message.record';
import { messageFromRow } from './messages.repository';

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

  /**
   * A batch chunk's claims in one statement (`claim` for each, keys distinct): the keys claimed
   * now. The keys are inserted in sorted order, so concurrent batches claiming overlapping keys
   * wait for each other instead of deadlocking; the sweep is `claim`'s, for up to `sweep` keys a
   * claim.
   */
  async claimAll(
    tx: EntityManager,
    orgId: string,
    claims: readonly { key: string; fingerprint: string; messageId: string }[],
    expiresAt: Date,
    sweep = 5,
  ): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const sorted = [...claims].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const inserted: { key: string }[] = await tx.query(
      `WITH swept AS (
         DELETE FROM idempotency_keys WHERE org_id = $1 AND key IN (
           SELECT key FROM idempotency_keys
            WHERE org_id = $1 AND expires_at <= now() AND key <> ALL($2::text[])
            LIMIT $6 FOR UPDATE SKIP LOCKED))
       INSERT INTO idempotency_keys (org_id, key, fingerprint, message_id, expires_at)
       SELECT $1, c.key, c.fingerprint, c.message_id, $5
         FROM unnest($2::text[], $3::text[], $4::uuid[]) WITH ORDINALITY
           AS c(key, fingerprint, message_id, n)
        ORDER BY c.n
       ON CONFLICT (org_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
         message_id = EXCLUDED.message_id, created_at = now(), expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= now()
       RETURNING key`,
      [
        orgId,
        sorted.map((c) => c.key),
        sorted.map((c) => c.fingerprint),
        sorted.map((c) => c.messageId),
        expiresAt,
        sweep * sorted.length,
      ],
    );
    return new Set(inserted.map((r) => r.key));
  }

  /**
   * Who holds these keys (claimed by other requests), each with its message when it still
   * exists: one statement for a batch chunk's taken keys.
   */
  async holders(
    tx: EntityManager,
    orgId: string,
    keys: readonly string[],
  ): Promise<Map<string, StoredIdempotencyKey & { message: MessageRecord | undefined }>> {
    if (keys.length === 0) return new Map();
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT k.key AS holder_key, k.fingerprint AS holder_fingerprint,
              k.message_id AS holder_message_id, m.*,
              (extract(epoch FROM m.created_at) * 1000000)::bigint::text AS created_micros
         FROM idempotency_keys k LEFT JOIN messages m ON m.id = k.message_id
        WHERE k.org_id = $1 AND k.key = ANY($2::text[])`,
      [orgId, [...keys]],
    );
    return new Map(
      rows.map((row) => [
        row.holder_key as string,
        {
          fingerprint: row.holder_fingerprint as string,
          messageId: row.holder_message_id as string,
          message: row.id ? messageFromRow(row) : undefined,
        },
      ]),
    );
  }
}
