import { Injectable } from '@nestjs/common';
import { row, rows, type SqlRunner } from '@switchboard/tenancy';
import type { ProviderMessageRecord, ProviderMessageStatus } from './provider-message.record';

const COLUMNS = `org_id AS "orgId", ghl_message_id AS "ghlMessageId", location_id AS "locationId",
  contact_id AS "contactId", message_id AS "messageId", status, received_at AS "receivedAt",
  updated_at AS "updatedAt"`;

/** SQL of `provider_messages`. */
@Injectable()
export class ProviderMessagesRepository {
  /** Records deliveries of one organization; the GHL message ids that were new. */
  async addMany(
    tx: SqlRunner,
    orgId: string,
    items: { ghlMessageId: string; locationId: string; contactId: string | null; phone: string }[],
    at: Date,
  ): Promise<Set<string>> {
    const added = await rows<{ id: string }>(
      tx,
      `INSERT INTO provider_messages (org_id, ghl_message_id, location_id, contact_id, contact_phone,
         status, received_at, updated_at)
       SELECT $1, d.id, d.location, d.contact, d.phone, 'ACCEPTED', $6, $6
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS d(id, location, contact, phone)
       ON CONFLICT (ghl_message_id) DO NOTHING RETURNING ghl_message_id AS id`,
      [
        orgId,
        items.map((i) => i.ghlMessageId),
        items.map((i) => i.locationId),
        items.map((i) => i.contactId),
        items.map((i) => i.phone),
        at,
      ],
    );
    return new Set(added.map((r) => r.id));
  }

  /** The delivery, locked until the transaction ends (status changes of one message in order). */
  find(tx: SqlRunner, ghlMessageId: string): Promise<ProviderMessageRecord | undefined> {
    return row(
      tx,
      `SELECT ${COLUMNS} FROM provider_messages WHERE ghl_message_id = $1 FOR UPDATE`,
      [ghlMessageId],
    );
  }

  /** The location that last wrote to the number through the provider, if any. */
  async lastLocationOf(tx: SqlRunner, phone: string): Promise<string | undefined> {
    const found = await row<{ locationId: string }>(
      tx,
      `SELECT location_id AS "locationId" FROM provider_messages WHERE contact_phone = $1
       ORDER BY received_at DESC LIMIT 1`,
      [phone],
    );
    return found?.locationId;
  }

  async setStatus(
    tx: SqlRunner,
    ghlMessageId: string,
    status: ProviderMessageStatus,
    messageId: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE provider_messages SET status = $2, message_id = $3, updated_at = $4 WHERE ghl_message_id = $1`,
      [ghlMessageId, status, messageId, at],
    );
  }
}
