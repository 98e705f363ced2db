import { Injectable } from '@nestjs/common';
import { row, rows, type SqlRunner } from '@switchboard/tenancy';
import type { AutoRechargeAttemptRecord, AutoRechargeRecord } from './wallet.record';

const SETTINGS = `below_minor::float8 AS "belowMinor", amount_minor::float8 AS "amountMinor",
  stripe_payment_method_id AS "stripePaymentMethodId", status, paused_reason AS "pausedReason",
  updated_at AS "updatedAt"`;
const ATTEMPT = `id, amount_minor::float8 AS "amountMinor", currency,
  stripe_payment_method_id AS "stripePaymentMethodId", status,
  stripe_payment_intent_id AS "stripePaymentIntentId", failure_code AS "failureCode",
  created_at AS "createdAt"`;

/** SQL of auto-recharge: the settings and the attempts (at most one PENDING per organization). */
@Injectable()
export class AutoRechargeRepository {
  find(tx: SqlRunner, orgId: string): Promise<AutoRechargeRecord | undefined> {
    return row<AutoRechargeRecord>(tx, `SELECT ${SETTINGS} FROM auto_recharge WHERE org_id = $1`, [
      orgId,
    ]);
  }

  async save(
    tx: SqlRunner,
    orgId: string,
    s: { belowMinor: number; amountMinor: number; stripePaymentMethodId: string },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO auto_recharge (org_id, below_minor, amount_minor, stripe_payment_method_id,
         status, updated_at) VALUES ($1, $2, $3, $4, 'ENABLED', $5)
       ON CONFLICT (org_id) DO UPDATE SET below_minor = EXCLUDED.below_minor,
         amount_minor = EXCLUDED.amount_minor,
         stripe_payment_method_id = EXCLUDED.stripe_payment_method_id, status = 'ENABLED',
         paused_reason = NULL, updated_at = EXCLUDED.updated_at`,
      [orgId, s.belowMinor, s.amountMinor, s.stripePaymentMethodId, at],
    );
  }

  async pause(tx: SqlRunner, orgId: string, reason: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE auto_recharge SET status = 'PAUSED', paused_reason = $2, updated_at = $3
        WHERE org_id = $1`,
      [orgId, reason, at],
    );
  }

  async remove(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`DELETE FROM auto_recharge WHERE org_id = $1`, [orgId]);
  }

  /**
   * A PENDING attempt for the settings' amount and card, unless one is in flight (the partial
   * unique index) or auto-recharge is not enabled; true when one was added.
   */
  async request(
    tx: SqlRunner,
    orgId: string,
    id: string,
    currency: string,
    at: Date,
  ): Promise<boolean> {
    const added = await rows(
      tx,
      `INSERT INTO auto_recharge_attempts (org_id, id, amount_minor, currency,
         stripe_payment_method_id, status, created_at)
       SELECT org_id, $2, amount_minor, $3, stripe_payment_method_id, 'PENDING', $4
         FROM auto_recharge WHERE org_id = $1 AND status = 'ENABLED'
       ON CONFLICT (org_id) WHERE status = 'PENDING' DO NOTHING RETURNING 1`,
      [orgId, id, currency, at],
    );
    return added.length > 0;
  }

  /** The organization's attempt in flight, locked (a concurrent run skips it). */
  pending(tx: SqlRunner, orgId: string): Promise<AutoRechargeAttemptRecord | undefined> {
    return row<AutoRechargeAttemptRecord>(
      tx,
      `SELECT ${ATTEMPT} FROM auto_recharge_attempts WHERE org_id = $1 AND status = 'PENDING'
        FOR UPDATE SKIP LOCKED`,
      [orgId],
    );
  }

  latest(tx: SqlRunner, orgId: string): Promise<AutoRechargeAttemptRecord | undefined> {
    return row<AutoRechargeAttemptRecord>(
      tx,
      `SELECT ${ATTEMPT} FROM auto_recharge_attempts WHERE org_id = $1
        ORDER BY created_at DESC LIMIT 1`,
      [orgId],
    );
  }

  /** Settles a PENDING attempt once; false when it was settled before. */
  async settle(
    tx: SqlRunner,
    orgId: string,
    id: string,
    outcome: {
      status: 'SUCCEEDED' | 'FAILED';
      paymentIntentId: string | null;
      failureCode: string | null;
    },
    at: Date,
  ): Promise<boolean> {
    const settled = await rows(
      tx,
      `UPDATE auto_recharge_attempts SET status = $3,
         stripe_payment_intent_id = coalesce($4, stripe_payment_intent_id), failure_code = $5,
         settled_at = $6
       WHERE org_id = $1 AND id = $2 AND status = 'PENDING' RETURNING 1`,
      [orgId, id, outcome.status, outcome.paymentIntentId, outcome.failureCode, at],
    );
    return settled.length > 0;
  }
}
