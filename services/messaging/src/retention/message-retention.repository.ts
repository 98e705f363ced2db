import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, rows } from '@switchboard/tenancy';
import { FINAL_AT_SQL } from './final-at';

/** SQL of messaging's retention (the caller's tenant transaction; batches of `limit` rows). */
@Injectable()
export class MessageRetentionRepository {
  /**
   * Removes body, media URLs and stored media (`message_media`, same period) of messages final
   * before `before`; returns how many messages.
   */
  async redactBodies(tx: EntityManager, before: Date, at: Date, limit: number): Promise<number> {
    const [result] = await rows<{ n: number }>(
      tx,
      `WITH redacted AS (
         UPDATE messages SET body = NULL, media_urls = '{}', body_redacted_at = $2
          WHERE id IN (
            SELECT id FROM messages
             WHERE body_redacted_at IS NULL AND ${FINAL_AT_SQL} < $1
             ORDER BY ${FINAL_AT_SQL} LIMIT $3)
         RETURNING id),
       media AS (DELETE FROM message_media WHERE message_id IN (SELECT id FROM redacted))
       SELECT count(*)::int AS n FROM redacted`,
      [before, at, limit],
    );
    return result?.n ?? 0;
  }

  /** Deletes messages final before `before` (and their idempotency keys); returns how many. */
  async purgeMessages(tx: EntityManager, before: Date, limit: number): Promise<number> {
    const purged = await rows<{ id: string }>(
      tx,
      `DELETE FROM messages WHERE id IN (
         SELECT id FROM messages WHERE ${FINAL_AT_SQL} < $1 ORDER BY ${FINAL_AT_SQL} LIMIT $2)
       RETURNING id`,
      [before, limit],
    );
    if (purged.length > 0) {
      await tx.query(`DELETE FROM idempotency_keys WHERE message_id = ANY($1::uuid[])`, [
        purged.map((p) => p.id),
      ]);
    }
    return purged.length;
  }

  /** Deletes conversations idle since before `before` that have no message left. */
  async purgeEmptyConversations(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM conversations WHERE id IN (
         SELECT c.id FROM conversations c
          WHERE c.last_message_at < $1
            AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
          LIMIT $2)`,
      [before, limit],
    );
  }
}
