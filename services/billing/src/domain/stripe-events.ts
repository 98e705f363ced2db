/**
 * What a Stripe webhook event means for billing, decided from the event alone (Stripe does not
 * order events; each effect is idempotent or applied only when newer).
 */
export type StripeEffect =
  | { kind: 'TOP_UP'; orgId: string; sessionId: string; amountMinor: number; currency: string }
  | {
      kind: 'SUBSCRIPTION';
      customerId: string;
      subscriptionId: string;
      stripePriceId: string | null;
      status: string;
      active: boolean;
    }
  | {
      kind: 'CARD';
      customerId: string;
      paymentMethodId: string;
      brand: string;
      last4: string;
      expMonth: number;
      expYear: number;
    }
  | {
      kind: 'RECHARGE';
      orgId: string;
      attemptId: string;
      paymentIntentId: string;
      succeeded: boolean;
      amountMinor: number;
      currency: string;
      failureCode: string;
    }
  | { kind: 'IGNORE' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Subscription states that keep the plan; any other (canceled, unpaid…) returns to the default. */
const ACTIVE = new Set(['active', 'trialing', 'past_due']);

/** A subscription in this state keeps its plan (and is switched by plan changes). */
export function isActiveSubscription(status: string | null): boolean {
  return status !== null && ACTIVE.has(status);
}

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const idOf = (v: unknown) => (typeof v === 'string' ? v : str((v as Obj | null)?.id));

export function effectOf(event: { type: string; data: { object: unknown } }): StripeEffect {
  const o = (event.data.object ?? {}) as Obj;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const metadata = (o.metadata ?? {}) as Obj;
      const orgId = str(metadata.org_id) || str(o.client_reference_id);
      if (
        o.mode !== 'payment' ||
        o.payment_status !== 'paid' ||
        metadata.kind !== 'wallet_top_up'
      ) {
        return { kind: 'IGNORE' };
      }
      if (
        !UUID.test(orgId) ||
        typeof o.amount_total !== 'number' ||
        !Number.isSafeInteger(o.amount_total)
      ) {
        return { kind: 'IGNORE' };
      }
      return {
        kind: 'TOP_UP',
        orgId: orgId.toLowerCase(),
        sessionId: str(o.id),
        amountMinor: o.amount_total,
        currency: str(o.currency).toUpperCase(),
      };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const items = ((o.items as Obj | undefined)?.data ?? []) as Obj[];
      const status = event.type === 'customer.subscription.deleted' ? 'canceled' : str(o.status);
      return {
        kind: 'SUBSCRIPTION',
        customerId: idOf(o.customer),
        subscriptionId: str(o.id),
        stripePriceId: idOf(items[0]?.price) || null,
        status,
        active: ACTIVE.has(status),
      };
    }
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed': {
      // Only billing's own off-session charges (auto-recharge); Checkout top-ups come as sessions.
      const metadata = (o.metadata ?? {}) as Obj;
      const orgId = str(metadata.org_id);
      const attemptId = str(metadata.attempt_id);
      if (metadata.kind !== 'auto_recharge' || !UUID.test(orgId) || !UUID.test(attemptId))
        return { kind: 'IGNORE' };
      if (typeof o.amount !== 'number' || !Number.isSafeInteger(o.amount))
        return { kind: 'IGNORE' };
      const error = (o.last_payment_error ?? {}) as Obj;
      return {
        kind: 'RECHARGE',
        orgId: orgId.toLowerCase(),
        attemptId: attemptId.toLowerCase(),
        paymentIntentId: str(o.id),
        succeeded: event.type === 'payment_intent.succeeded',
        amountMinor: o.amount,
        currency: str(o.currency).toUpperCase(),
        failureCode: str(error.code) || str(error.type) || 'payment_failed',
      };
    }
    case 'payment_method.attached': {
      const card = (o.card ?? {}) as Obj;
      if (o.type !== 'card') return { kind: 'IGNORE' };
      return {
        kind: 'CARD',
        customerId: idOf(o.customer),
        paymentMethodId: str(o.id),
        brand: str(card.brand),
        last4: str(card.last4),
        expMonth: Number(card.exp_month),
        expYear: Number(card.exp_year),
      };
    }
    default:
      return { kind: 'IGNORE' };
  }
}
