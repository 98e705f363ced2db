import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** SQL of the webhook receiver's replay and retry records, in the caller's tenant transaction. */
@Injectable()
export class InboundRepository {
  /** Records a signature as seen; false when it was seen before (a replay). */
  async recordSignature(
    tx: EntityManager,
    call: { orgId: string; deviceId: string; signature: string; now: Date },
  ): Promise<boolean> {
    const fresh: unknown[] = await tx.query(
      `INSERT INTO webhook_signatures (org_id, device_id, signature, seen_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1`,
      [call.orgId, call.deviceId, call.signature, call.now],
    );
    return fresh.length > 0;
  }

  /** Records the app's event as received; false when it was received before (a retry). */
  async recordReceipt(
    tx: EntityManager,
    receipt: { orgId: string; deviceId: string; eventId: string; event: string; now: Date },
  ): Promise<boolean> {
    const first: unknown[] = await tx.query(
      `INSERT INTO inbound_receipts (org_id, device_id, event_id, event, received_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
      [receipt.orgId, receipt.deviceId, receipt.eventId, receipt.event, receipt.now],
    );
    return first.length > 0;
  }

  /** Forgets signatures seen before `signaturesBefore` and receipts before `receiptsBefore`. */
  async prune(tx: EntityManager, signaturesBefore: Date, receiptsBefore: Date): Promise<void> {
    await tx.query(`DELETE FROM webhook_signatures WHERE seen_at < $1`, [signaturesBefore]);
    await tx.query(`DELETE FROM inbound_receipts WHERE received_at < $1`, [receiptsBefore]);
  }
}
