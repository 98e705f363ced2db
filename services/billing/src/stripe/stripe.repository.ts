import { Injectable } from '@nestjs/common';
import { rows, type SqlRunner } from '@switchboard/tenancy';

/** A saved card as billing knows it: Stripe's id, brand, last 4 digits, expiry. */
export interface PaymentMethodRecord {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** SQL of Stripe's side: webhook event ids, Checkout Sessions, card summaries. */
@Injectable()
export class StripeRepository {
  /** Records a webhook event id; false when it was recorded before (a redelivery). */
  async recordEvent(
    tx: SqlRunner,
    id: string,
    type: string,
    createdAt: Date,
    at: Date,
  ): Promise<boolean> {
    const inserted = await rows(
      tx,
      `INSERT INTO stripe_events (id, type, created_at, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING 1`,
      [id, type, createdAt, at],
    );
    return inserted.length > 0;
  }

  async addCheckoutSession(
    tx: SqlRunner,
    orgId: string,
    s: {
      id: string;
      kind: 'TOPUP' | 'SUBSCRIPTION';
      amountMinor: number | null;
      currency: string | null;
      planId: string | null;
    },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO checkout_sessions (org_id, stripe_session_id, kind, amount_minor, currency, plan_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
      [orgId, s.id, s.kind, s.amountMinor, s.currency, s.planId, at],
    );
  }

  async completeCheckoutSession(tx: SqlRunner, orgId: string, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE checkout_sessions SET completed_at = coalesce(completed_at, $3)
        WHERE org_id = $1 AND stripe_session_id = $2`,
      [orgId, id, at],
    );
  }

  /** The organization's saved cards (Stripe's summary only), newest first. */
  listPaymentMethods(tx: SqlRunner, orgId: string): Promise<PaymentMethodRecord[]> {
    return rows<PaymentMethodRecord>(
      tx,
      `SELECT stripe_payment_method_id AS id, brand, last4, exp_month AS "expMonth",
         exp_year AS "expYear" FROM payment_methods WHERE org_id = $1 ORDER BY updated_at DESC`,
      [orgId],
    );
  }

  /** Only what Stripe issues about a card: its id, brand, last 4 digits and expiry. */
  async savePaymentMethod(
    tx: SqlRunner,
    orgId: string,
    card: { id: string; brand: string; last4: string; expMonth: number; expYear: number },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO payment_methods (org_id, stripe_payment_method_id, brand, last4, exp_month, exp_year, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org_id, stripe_payment_method_id) DO UPDATE SET brand = EXCLUDED.brand,
         last4 = EXCLUDED.last4, exp_month = EXCLUDED.exp_month, exp_year = EXCLUDED.exp_year,
         updated_at = EXCLUDED.updated_at`,
      [orgId, card.id, card.brand, card.last4, card.expMonth, card.expYear, at],
    );
  }
}
