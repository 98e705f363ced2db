import { Injectable } from '@nestjs/common';
import { rows, type SqlRunner } from '@switchboard/tenancy';

/** How long a webhook id is remembered: far beyond the ±5 minute timestamp window. */
export const WEBHOOK_RECEIPT_TTL_MS = 60 * 60 * 1000;

/** SQL of `webhook_receipts`: the app webhook ids seen (replay protection). */
@Injectable()
export class WebhookReceiptRepository {
  /**
   * Records a webhook id; false when it was seen before (a replay: do nothing). Each call also
   * forgets up to 100 receipts older than WEBHOOK_RECEIPT_TTL_MS (a replay that old fails the
   * timestamp check), so the table stays the size of an hour of webhooks.
   */
  async add(tx: SqlRunner, webhookId: string, type: string, at: Date): Promise<boolean> {
    await this.prune(tx, new Date(at.getTime() - WEBHOOK_RECEIPT_TTL_MS), 100);
    const added = await rows(
      tx,
      `INSERT INTO webhook_receipts (webhook_id, type, received_at) VALUES ($1, $2, $3)
       ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`,
      [webhookId, type, at],
    );
    return added.length > 0;
  }

  /** Forgets receipts older than the replay window (a replay that old fails the timestamp check). */
  async prune(tx: SqlRunner, before: Date, limit: number): Promise<number> {
    const removed = await rows(
      tx,
      `DELETE FROM webhook_receipts WHERE webhook_id IN (
         SELECT webhook_id FROM webhook_receipts WHERE received_at < $1 LIMIT $2)
       RETURNING webhook_id`,
      [before, limit],
    );
    return removed.length;
  }
}
