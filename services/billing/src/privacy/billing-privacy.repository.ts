import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows } from '@switchboard/tenancy';

/** An exported row with the key of its page (`cursor`, dropped from the export). */
export type ExportedRow = Record<string, unknown> & { cursor: string };

/**
 * SQL of billing's privacy export: the organization's billing records, keyset pages in a
 * stable order (cursor: the row's sort key as text).
 */
@Injectable()
export class BillingPrivacyRepository {
  plan(tx: EntityManager, after: string | null, limit: number): Promise<ExportedRow[]> {
    if (after !== null || limit === 0) return Promise.resolve([]);
    return rows<ExportedRow>(
      tx,
      `SELECT org_id::text AS cursor, plan_id AS "planId", pending_plan_id AS "pendingPlanId",
         pending_plan_at AS "pendingPlanAt", stripe_customer_id AS "stripeCustomerId",
         stripe_subscription_id AS "stripeSubscriptionId",
         subscription_status AS "subscriptionStatus", updated_at AS "updatedAt"
       FROM organization_plans`,
    );
  }

  usage(tx: EntityManager, after: string | null, limit: number): Promise<ExportedRow[]> {
    const [at, id] = after ? after.split('|') : [null, null];
    return rows<ExportedRow>(
      tx,
      `SELECT accepted_at::text || '|' || message_id AS cursor, message_id AS "messageId", period,
         accepted_at AS "acceptedAt", route, country, kind, segments, currency,
         unit_price_minor::text AS "unitPriceMinor", included_segments AS "includedSegments",
         overage_segments AS "overageSegments", overage_amount_minor::text AS "overageAmountMinor",
         wallet_amount_minor::text AS "walletAmountMinor", state, settled_at AS "settledAt"
       FROM usage_entries
       WHERE ($1::timestamptz IS NULL OR (accepted_at, message_id) > ($1, $2::uuid))
       ORDER BY accepted_at, message_id LIMIT $3`,
      [at, id, limit],
    );
  }

  walletLedger(tx: EntityManager, after: string | null, limit: number): Promise<ExportedRow[]> {
    return rows<ExportedRow>(
      tx,
      `SELECT seq::text AS cursor, id, kind, amount_minor::text AS "amountMinor",
         held_minor::text AS "heldMinor", currency, reference, description, created_at AS "createdAt"
       FROM wallet_entries WHERE ($1::bigint IS NULL OR seq > $1) ORDER BY seq LIMIT $2`,
      [after, limit],
    );
  }

  paymentMethods(tx: EntityManager, after: string | null, limit: number): Promise<ExportedRow[]> {
    return rows<ExportedRow>(
      tx,
      `SELECT stripe_payment_method_id AS cursor, stripe_payment_method_id AS id, brand, last4,
         exp_month AS "expMonth", exp_year AS "expYear", updated_at AS "updatedAt"
       FROM payment_methods WHERE ($1::text IS NULL OR stripe_payment_method_id > $1)
       ORDER BY stripe_payment_method_id LIMIT $2`,
      [after, limit],
    );
  }

  autoRechargeAttempts(
    tx: EntityManager,
    after: string | null,
    limit: number,
  ): Promise<ExportedRow[]> {
    const [at, id] = after ? after.split('|') : [null, null];
    return rows<ExportedRow>(
      tx,
      `SELECT created_at::text || '|' || id AS cursor, id, amount_minor::text AS "amountMinor",
         currency, stripe_payment_method_id AS "paymentMethodId", status,
         stripe_payment_intent_id AS "paymentIntentId", failure_code AS "failureCode",
         created_at AS "createdAt", settled_at AS "settledAt"
       FROM auto_recharge_attempts
       WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1, $2::uuid))
       ORDER BY created_at, id LIMIT $3`,
      [at, id, limit],
    );
  }

  /** How many ledger rows (usage and wallet) the organization has: its financial records. */
  async financialRecords(tx: EntityManager): Promise<number> {
    const found = await row<{ n: number }>(
      tx,
      `SELECT (SELECT count(*) FROM usage_entries) + (SELECT count(*) FROM wallet_entries) AS n`,
    );
    return Number(found?.n ?? 0);
  }
}
