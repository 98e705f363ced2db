import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { affectedRows, row, rows } from '@switchboard/tenancy';

/** Which rows a subject's request concerns: one phone number, or the whole organization. */
export type MessagingScope = { phoneNumber: string } | { organization: true };

const where = (scope: MessagingScope, numberColumns: string[]): [string, unknown[]] =>
  'phoneNumber' in scope
    ? [`(${numberColumns.map((c) => `${c} = $1`).join(' OR ')})`, [scope.phoneNumber]]
    : ['true', [null]];

export interface ExportedMessageRow {
  id: string;
  /** created_at as PostgreSQL prints it (microseconds kept): the keyset of the next page. */
  cursorAt: string;
  [column: string]: unknown;
}

/** SQL of messaging's part of privacy requests (the tenant's transaction). */
@Injectable()
export class MessagingPrivacyRepository {
  /** A page of messages, oldest first, after the keyset (created_at, id). */
  async messages(
    tx: EntityManager,
    scope: MessagingScope,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<ExportedMessageRow[]> {
    const [filter, params] = where(scope, ['to_number', 'from_number']);
    return rows(
      tx,
      `SELECT id, created_at::text AS "cursorAt", direction, status, from_number AS "from", to_number AS "to", body,
              media_urls AS "mediaUrls", encoding, segments, route, device_id AS "deviceId",
              conversation_id AS "conversationId", campaign_id AS "campaignId", metadata,
              error_code AS "errorCode", created_at AS "createdAt", queued_at AS "queuedAt",
              sent_at AS "sentAt", delivered_at AS "deliveredAt", failed_at AS "failedAt",
              rejected_at AS "rejectedAt", received_at AS "receivedAt",
              body_redacted_at AS "bodyRedactedAt",
              (SELECT coalesce(json_agg(json_build_object(
                        'url', mm.url, 'status', mm.status, 'contentType', mm.content_type,
                        'size', mm.size, 'fetchedAt', mm.fetched_at,
                        'dataBase64', encode(mm.data, 'base64')) ORDER BY mm.position), '[]')
                 FROM message_media mm WHERE mm.message_id = messages.id) AS "media"
         FROM messages
        WHERE ${filter} AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [...params, after?.createdAt ?? null, after?.id ?? null, limit],
    );
  }

  /** A page of conversations, oldest first, after the keyset (created_at, id). */
  async conversations(
    tx: EntityManager,
    scope: MessagingScope,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<ExportedMessageRow[]> {
    const [filter, params] = where(scope, ['contact_number']);
    return rows(
      tx,
      `SELECT id, created_at::text AS "cursorAt", contact_number AS "contactNumber", our_number AS "ourNumber",
              device_id AS "deviceId", message_count AS "messageCount",
              last_message_at AS "lastMessageAt", created_at AS "createdAt"
         FROM conversations
        WHERE ${filter} AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [...params, after?.createdAt ?? null, after?.id ?? null, limit],
    );
  }

  /**
   * Up to `limit` messages to or from the number: body, media (URLs and stored copies) and
   * metadata removed, the raw error texts of the message and of its route attempts cleared (a
   * carrier's text may quote the number), the number replaced by the pseudonym. Returns how many.
   */
  async eraseMessages(
    tx: EntityManager,
    phoneNumber: string,
    pseudonym: string,
    at: Date,
    limit: number,
  ): Promise<number> {
    return affectedRows(
      tx,
      // A route's raw error text may quote the number: it goes with the message's.
      `WITH target AS (SELECT id FROM messages WHERE to_number = $1 OR from_number = $1 LIMIT $4),
            attempts AS (
              UPDATE message_route_attempts SET error_raw_message = NULL
               WHERE message_id IN (SELECT id FROM target) AND error_raw_message IS NOT NULL),
            media AS (DELETE FROM message_media WHERE message_id IN (SELECT id FROM target))
       UPDATE messages SET body = NULL, media_urls = '{}', metadata = '{}', error_raw_message = NULL,
              body_redacted_at = COALESCE(body_redacted_at, $3),
              to_number = CASE WHEN to_number = $1 THEN $2 ELSE to_number END,
              from_number = CASE WHEN from_number = $1 THEN $2 ELSE from_number END
        WHERE id IN (SELECT id FROM target)`,
      [phoneNumber, pseudonym, at, limit],
    );
  }

  /** Up to `limit` conversations with the number: the number replaced by the pseudonym. */
  /** Up to `limit` sticky senders (carriers) of the number: deleted, nothing else is kept there. */
  async deleteCarrierStickySenders(
    tx: EntityManager,
    phoneNumber: string,
    limit: number,
  ): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM carrier_sticky_senders WHERE (org_id, carrier_account_id, contact_number) IN (
         SELECT org_id, carrier_account_id, contact_number FROM carrier_sticky_senders
          WHERE contact_number = $1 LIMIT $2)`,
      [phoneNumber, limit],
    );
  }

  async eraseConversations(
    tx: EntityManager,
    phoneNumber: string,
    pseudonym: string,
    limit: number,
  ): Promise<number> {
    return affectedRows(
      tx,
      `UPDATE conversations SET contact_number = $2
        WHERE id IN (SELECT id FROM conversations WHERE contact_number = $1 LIMIT $3)`,
      [phoneNumber, pseudonym, limit],
    );
  }

  /** A page of contacts (the number's, or all of the organization's), oldest first. */
  async contacts(
    tx: EntityManager,
    scope: MessagingScope,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<ExportedMessageRow[]> {
    const [filter, params] = where(scope, ['phone_number']);
    return rows(
      tx,
      `SELECT id, created_at::text AS "cursorAt", phone_number AS "phoneNumber", name, attributes,
              opt_in_source AS "optInSource", opt_in_ip AS "optInIp", opt_in_at AS "optInAt",
              opt_in_text AS "optInText", created_at AS "createdAt", updated_at AS "updatedAt"
         FROM contacts
        WHERE ${filter} AND ($2::timestamptz IS NULL OR (created_at, id) > ($2, $3::uuid))
        ORDER BY created_at, id LIMIT $4`,
      [...params, after?.createdAt ?? null, after?.id ?? null, limit],
    );
  }

  /**
   * Deletes the number's contact (one per organization) with its list memberships; the member
   * counters of its static lists and of the segments it matched drop with it. Returns how many.
   */
  async deleteContacts(tx: EntityManager, phoneNumber: string): Promise<number> {
    const deleted = await rows(
      tx,
      `WITH gone AS (SELECT id, attributes FROM contacts WHERE phone_number = $1 FOR UPDATE),
            static_lists AS (
              UPDATE contact_lists l SET member_count = l.member_count - 1
                FROM contact_list_members m JOIN gone g ON g.id = m.contact_id
               WHERE m.list_id = l.id RETURNING l.id),
            segments AS (
              UPDATE contact_lists l SET member_count = l.member_count - 1
                FROM gone g
               WHERE l.kind = 'SEGMENT' AND g.attributes @> l.filter RETURNING l.id)
       DELETE FROM contacts c USING gone g WHERE c.id = g.id RETURNING c.id`,
      [phoneNumber],
    );
    return deleted.length;
  }

  /** Whether the number is on the opt-out list (the projection of compliance's). */
  async optedOut(tx: EntityManager, phoneNumber: string): Promise<boolean> {
    return (
      (await row(tx, `SELECT 1 FROM suppression_states WHERE phone_number = $1 AND opted_out`, [
        phoneNumber,
      ])) !== undefined
    );
  }
}
