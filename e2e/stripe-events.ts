// Billing's side of the local Stripe in the e2e suites: the Stripe customer billing created for
// an organization, Stripe's events (a paid top-up's Checkout Session among them), and their
// webhooks posted to billing signed with the local Stripe's secret.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import Stripe from 'stripe';
import { platform } from './platform';
import { until } from './support';

/** Billing's Stripe customer id of the organization, once billing has created it. */
export async function stripeCustomerOf(orgId: string): Promise<string> {
  return until('the Stripe customer', async () => {
    const db = new Client({ connectionString: platform().process('billing').databaseOwnerUrl });
    await db.connect();
    try {
      await db.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
      const { rows } = await db.query<{ id: string | null }>(
        `SELECT stripe_customer_id AS id FROM organization_plans WHERE org_id = $1`,
        [orgId],
      );
      return rows[0]?.id ?? undefined;
    } finally {
      await db.end();
    }
  });
}

/** A Stripe event's JSON as Stripe sends it. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  id = `evt_e2e_${randomUUID().slice(0, 12)}`,
): string {
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2023-08-16',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  });
}

/** Posts an event (stripeEvent's JSON) to billing's Stripe webhook, signed; billing takes it. */
export async function postStripeEvent(payload: string): Promise<void> {
  const p = platform();
  const response = await fetch(`${p.url('billing')}/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({
        payload,
        secret: p.stripeWebhookSecret!,
      }),
    },
    body: payload,
  });
  expect(response.status).toBe(200);
}

/** A paid wallet top-up's Checkout Session, as checkout.session.completed carries it. */
export function paidTopUpSession(session: {
  id: string;
  orgId: string;
  customerId: string;
  amountMinor: number;
}): Record<string, unknown> {
  return {
    id: session.id,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: 'paid',
    amount_total: session.amountMinor,
    currency: 'usd',
    customer: session.customerId,
    client_reference_id: session.orgId,
    metadata: { org_id: session.orgId, kind: 'wallet_top_up' },
  };
}
