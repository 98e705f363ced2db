import { Injectable } from '@nestjs/common';
import { rows, type SqlRunner } from '@switchboard/tenancy';

/** A captured message's overage, waiting to be reported to Stripe. */
export interface PendingMeterEvent {
  messageId: string;
  value: number;
  occurredAt: Date;
}

/** SQL of `stripe_meter_events`: usage to report to Stripe's metered billing. */
@Injectable()
export class MeterEventsRepository {
  /** Enqueues once per message (a repeated capture writes nothing). */
  async enqueue(
    tx: SqlRunner,
    orgId: string,
    messageId: string,
    value: number,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO stripe_meter_events (org_id, message_id, value, occurred_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [orgId, messageId, value, at],
    );
  }

  /** The oldest unreported events, locked (a second reporter skips them). */
  pending(tx: SqlRunner, orgId: string, limit: number): Promise<PendingMeterEvent[]> {
    return rows<PendingMeterEvent>(
      tx,
      `SELECT message_id AS "messageId", value, occurred_at AS "occurredAt" FROM stripe_meter_events
        WHERE org_id = $1 AND reported_at IS NULL ORDER BY occurred_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [orgId, limit],
    );
  }

  async markReported(tx: SqlRunner, orgId: string, messageId: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE stripe_meter_events SET reported_at = $3 WHERE org_id = $1 AND message_id = $2`,
      [orgId, messageId, at],
    );
  }
}
