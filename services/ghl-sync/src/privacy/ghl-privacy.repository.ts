import { Injectable } from '@nestjs/common';
import { rows, type SqlRunner } from '@switchboard/tenancy';

/** Whose rows: one number's, or the whole organization's. */
export type GhlPrivacyScope = { phoneNumber: string } | { organization: true };

const phoneOf = (scope: GhlPrivacyScope) => ('phoneNumber' in scope ? scope.phoneNumber : null);

/** SQL of ghl-sync's part of privacy requests (in the tenant's transaction). */
@Injectable()
export class GhlPrivacyRepository {
  /** Provider messages to the number (or all), by GHL message id. */
  providerMessages(
    tx: SqlRunner,
    scope: GhlPrivacyScope,
    after: string | null,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    return rows(
      tx,
      `SELECT ghl_message_id AS "ghlMessageId", location_id AS "locationId", contact_id AS "ghlContactId",
              contact_phone AS "phoneNumber", message_id AS "messageId", status, received_at AS "receivedAt"
         FROM provider_messages
        WHERE ($1::text IS NULL OR contact_phone = $1) AND ($2::text IS NULL OR ghl_message_id > $2)
        ORDER BY ghl_message_id LIMIT $3`,
      [phoneOf(scope), after, limit],
    );
  }

  /** Callbacks naming the number (or all), by id: what was or is to be sent to GHL. */
  callbacks(
    tx: SqlRunner,
    scope: GhlPrivacyScope,
    after: string | null,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    return rows(
      tx,
      `SELECT id, location_id AS "locationId", kind, state, payload, created_at AS "createdAt",
              done_at AS "doneAt"
         FROM callbacks
        WHERE ($1::text IS NULL OR payload->>'phone' = $1) AND ($2::uuid IS NULL OR id > $2::uuid)
        ORDER BY id LIMIT $3`,
      [phoneOf(scope), after, limit],
    );
  }

  /** The number leaves provider messages (the rows stay: GHL ids and statuses), a batch. */
  async forgetProviderNumber(tx: SqlRunner, phoneNumber: string, limit: number): Promise<number> {
    const changed = await rows(
      tx,
      `UPDATE provider_messages SET contact_phone = NULL WHERE ghl_message_id IN (
         SELECT ghl_message_id FROM provider_messages WHERE contact_phone = $1 LIMIT $2)
       RETURNING ghl_message_id`,
      [phoneNumber, limit],
    );
    return changed.length;
  }

  /** Inbound messages of the number not posted to GHL yet (their texts), a batch. */
  async deletePendingInbound(tx: SqlRunner, phoneNumber: string, limit: number): Promise<number> {
    const removed = await rows(
      tx,
      `DELETE FROM callbacks WHERE id IN (
         SELECT id FROM callbacks WHERE kind = 'INBOUND_MESSAGE' AND state = 'PENDING'
            AND payload->>'phone' = $1 LIMIT $2)
       RETURNING id`,
      [phoneNumber, limit],
    );
    return removed.length;
  }

  /** DND updates of the number still to reach GHL (kept: the opt-out must be honoured there). */
  async pendingDnd(tx: SqlRunner, phoneNumber: string): Promise<number> {
    const [found] = await rows<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM callbacks
        WHERE kind = 'CONTACT_DND' AND state = 'PENDING' AND payload->>'phone' = $1`,
      [phoneNumber],
    );
    return found?.n ?? 0;
  }
}
