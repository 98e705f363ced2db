import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { KeysetPosition } from '@switchboard/service-kit';
import type { ConversationRecord } from './conversation.record';

export interface ConversationFilter {
  contactNumber?: string;
  deviceId?: string;
  unreadOnly?: boolean;
}

type Row = Record<string, unknown>;

const SELECT = `SELECT c.*, (extract(epoch FROM c.last_message_at) * 1000000)::bigint::text AS last_micros
  FROM conversations c`;

const fromRow = (row: Row): ConversationRecord => ({
  id: row.id as string,
  orgId: row.org_id as string,
  contactNumber: row.contact_number as string,
  senderKey: row.sender_key as string,
  ourNumber: (row.our_number as string | null) ?? null,
  deviceId: (row.device_id as string | null) ?? null,
  simNumber: row.sim_number == null ? null : Number(row.sim_number),
  messageCount: Number(row.message_count),
  unreadCount: Number(row.unread_count),
  lastMessageAt: row.last_message_at as Date,
  lastMessageMicros: row.last_micros as string,
  lastMessageId: (row.last_message_id as string | null) ?? null,
  lastReadAt: (row.last_read_at as Date | null) ?? null,
  createdAt: row.created_at as Date,
  updatedAt: row.updated_at as Date,
});

@Injectable()
export class ConversationsRepository {
  /**
   * Adds a message to the conversation of (contact, sender), creating it on first use, and
   * returns its id. Concurrent first messages meet on the unique key.
   */
  async addMessage(
    tx: EntityManager,
    orgId: string,
    thread: {
      contactNumber: string;
      senderKey: string;
      ourNumber: string | null;
      deviceId: string | null;
      simNumber: number | null;
    },
    message: { id: string; at: Date; unread: boolean },
  ): Promise<string> {
    const rows: Row[] = await tx.query(
      `INSERT INTO conversations (org_id, id, contact_number, sender_key, our_number, device_id, sim_number,
         message_count, unread_count, last_message_at, last_message_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, now(), now())
       ON CONFLICT (org_id, contact_number, sender_key) DO UPDATE SET
         message_count = conversations.message_count + 1,
         unread_count = conversations.unread_count + EXCLUDED.unread_count,
         our_number = COALESCE(conversations.our_number, EXCLUDED.our_number),
         last_message_id = CASE WHEN EXCLUDED.last_message_at >= conversations.last_message_at
           THEN EXCLUDED.last_message_id ELSE conversations.last_message_id END,
         last_message_at = GREATEST(conversations.last_message_at, EXCLUDED.last_message_at),
         updated_at = now()
       RETURNING id`,
      [
        orgId,
        randomUUID(),
        thread.contactNumber,
        thread.senderKey,
        thread.ourNumber,
        thread.deviceId,
        thread.simNumber,
        message.unread ? 1 : 0,
        message.at,
        message.id,
      ],
    );
    return rows[0].id as string;
  }

  /** Takes a message (moved to another thread) out of a conversation. */
  async removeMessage(tx: EntityManager, conversationId: string, messageId: string): Promise<void> {
    await tx.query(
      `UPDATE conversations c SET message_count = GREATEST(c.message_count - 1, 0), updated_at = now(),
         last_message_id = CASE WHEN c.last_message_id = $2 THEN
           (SELECT m.id FROM messages m WHERE m.conversation_id = c.id AND m.id <> $2
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1) ELSE c.last_message_id END
       WHERE c.id = $1`,
      [conversationId, messageId],
    );
  }

  async senderKey(tx: EntityManager, conversationId: string): Promise<string | undefined> {
    const rows: Row[] = await tx.query(`SELECT sender_key FROM conversations WHERE id = $1`, [
      conversationId,
    ]);
    return rows[0]?.sender_key as string | undefined;
  }

  async findById(tx: EntityManager, id: string): Promise<ConversationRecord | undefined> {
    const rows: Row[] = await tx.query(`${SELECT} WHERE c.id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async markRead(tx: EntityManager, id: string, at: Date): Promise<ConversationRecord | undefined> {
    await tx.query(
      `UPDATE conversations SET unread_count = 0, last_read_at = $2, updated_at = now() WHERE id = $1`,
      [id, at],
    );
    return this.findById(tx, id);
  }

  /** One page, most recent activity first: (last_message_at DESC, id DESC) after `after`. */
  async page(
    tx: EntityManager,
    orgId: string,
    filter: ConversationFilter,
    limit: number,
    after?: KeysetPosition,
  ): Promise<ConversationRecord[]> {
    const where = ['c.org_id = $1', 'c.message_count > 0'];
    const params: unknown[] = [orgId];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.contactNumber) add((p) => `c.contact_number = ${p}`, filter.contactNumber);
    if (filter.deviceId) add((p) => `c.device_id = ${p}`, filter.deviceId);
    if (filter.unreadOnly) where.push('c.unread_count > 0');
    if (after) {
      params.push(after.micros, after.id);
      where.push(
        `(c.last_message_at, c.id) < (timestamptz 'epoch' + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`,
      );
    }
    params.push(limit);
    const rows: Row[] = await tx.query(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY c.last_message_at DESC, c.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }
}
