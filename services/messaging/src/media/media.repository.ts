import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows } from '@switchboard/tenancy';
import type { MediaRecord, QueuedMediaFetch } from './media.record';

export type { MediaRecord, MediaStatus, QueuedMediaFetch } from './media.record';

const COLUMNS = `id, org_id AS "orgId", message_id AS "messageId", position, url, status,
  content_type AS "contentType", size, error, fetched_at AS "fetchedAt"`;

/** SQL of inbound media (`message_media`, tenant; `media_fetch_queue`, global). */
@Injectable()
export class MediaRepository {
  /** The media rows (PENDING) and their fetch jobs, in the caller's tenant transaction. */
  async addPending(
    tx: EntityManager,
    media: { id: string; messageId: string; position: number; url: string }[],
    carrierAccountId: string | null,
    now: Date,
  ): Promise<void> {
    if (media.length === 0) return;
    await tx.query(
      `INSERT INTO message_media (id, org_id, message_id, position, url, status, created_at)
       SELECT m.id, current_setting('app.org_id')::uuid, m.message_id, m.position, m.url, 'PENDING', $2
         FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, message_id uuid, position int, url text)
       ON CONFLICT (message_id, position) DO NOTHING`,
      [
        JSON.stringify(
          media.map((m) => ({
            id: m.id,
            message_id: m.messageId,
            position: m.position,
            url: m.url,
          })),
        ),
        now,
      ],
    );
    await tx.query(
      `INSERT INTO media_fetch_queue (media_id, tenant_id, carrier_account_id, due_at)
       SELECT id, current_setting('app.org_id')::uuid, $2, $3 FROM unnest($1::uuid[]) AS id
       ON CONFLICT (media_id) DO NOTHING`,
      [media.map((m) => m.id), carrierAccountId, now],
    );
  }

  async find(tx: EntityManager, id: string): Promise<MediaRecord | undefined> {
    return row<MediaRecord>(tx, `SELECT ${COLUMNS} FROM message_media WHERE id = $1`, [id]);
  }

  /** The media of these messages (one query for a page), by message then position. */
  async ofMessages(tx: EntityManager, messageIds: readonly string[]): Promise<MediaRecord[]> {
    return rows<MediaRecord>(
      tx,
      `SELECT ${COLUMNS} FROM message_media WHERE message_id = ANY($1::uuid[])
        ORDER BY message_id, position`,
      [messageIds],
    );
  }

  /** The stored bytes of a medium. */
  async content(
    tx: EntityManager,
    id: string,
  ): Promise<{ contentType: string; data: Buffer } | undefined> {
    return row(
      tx,
      `SELECT content_type AS "contentType", data FROM message_media
        WHERE id = $1 AND status = 'STORED'`,
      [id],
    );
  }

  async stored(
    tx: EntityManager,
    id: string,
    content: { contentType: string; data: Buffer },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE message_media SET status = 'STORED', content_type = $2, size = $3, data = $4,
              error = NULL, fetched_at = $5
        WHERE id = $1 AND status = 'PENDING'`,
      [id, content.contentType, content.data.length, content.data, at],
    );
  }

  async failed(tx: EntityManager, id: string, error: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE message_media SET status = 'FAILED', error = $2, fetched_at = $3
        WHERE id = $1 AND status = 'PENDING'`,
      [id, error, at],
    );
  }

  /** Claims up to `limit` due fetches (`FOR UPDATE SKIP LOCKED`) by moving them to `lease`. */
  async claimDue(
    tx: EntityManager,
    limit: number,
    now: Date,
    lease: Date,
  ): Promise<QueuedMediaFetch[]> {
    return rows<QueuedMediaFetch>(
      tx,
      `UPDATE media_fetch_queue q SET due_at = $3
        WHERE q.media_id IN (
          SELECT media_id FROM media_fetch_queue
           WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING q.media_id AS "mediaId", q.tenant_id AS "tenantId",
                  q.carrier_account_id AS "carrierAccountId", q.tries`,
      [now, limit, lease],
    );
  }

  async retryLater(tx: EntityManager, mediaId: string, dueAt: Date): Promise<void> {
    await tx.query(
      `UPDATE media_fetch_queue SET tries = tries + 1, due_at = $2 WHERE media_id = $1`,
      [mediaId, dueAt],
    );
  }

  async dequeue(tx: EntityManager, mediaId: string): Promise<void> {
    await tx.query(`DELETE FROM media_fetch_queue WHERE media_id = $1`, [mediaId]);
  }
}
