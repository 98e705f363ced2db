import { Injectable } from '@nestjs/common';
import { rows, type SqlRunner } from '@switchboard/tenancy';

/** SQL of ghl-sync's retention steps (in the organization's tenant transaction). */
@Injectable()
export class GhlRetentionRepository {
  /** Finished callbacks (their evidence) older than `before`, a batch. */
  async pruneCallbacks(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    const removed = await rows(
      tx,
      `DELETE FROM callbacks WHERE id IN (
         SELECT id FROM callbacks WHERE state <> 'PENDING' AND done_at < $1 LIMIT $2)
       RETURNING id`,
      [before, limit],
    );
    return removed.length;
  }

  /** Provider messages' numbers older than `before` are forgotten (the row stays). */
  async clearContactPhones(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    const cleared = await rows(
      tx,
      `UPDATE provider_messages SET contact_phone = NULL WHERE ghl_message_id IN (
         SELECT ghl_message_id FROM provider_messages
          WHERE contact_phone IS NOT NULL AND received_at < $1 LIMIT $2)
       RETURNING ghl_message_id`,
      [before, limit],
    );
    return cleared.length;
  }

  /** Provider messages older than `before` (metadata retention), a batch. */
  async pruneProviderMessages(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    const removed = await rows(
      tx,
      `DELETE FROM provider_messages WHERE ghl_message_id IN (
         SELECT ghl_message_id FROM provider_messages WHERE received_at < $1 LIMIT $2)
       RETURNING ghl_message_id`,
      [before, limit],
    );
    return removed.length;
  }
}
