import type { PlanDefinition } from './catalog';
import { periodBounds, periodOf } from './period';

type PlanTerms = Pick<
  PlanDefinition,
  'id' | 'monthlyPriceMinor' | 'includedSegments' | 'stripePriceId'
>;

/** The organization's Stripe subscription, when it has one that bills. */
export interface SubscriptionState {
  id: string;
  active: boolean;
}

/**
 * What an owner's plan change does:
 * - `UPGRADE` (a higher monthly price, or the same price with a larger allowance): at once; with
 *   a Stripe subscription, its price is switched with Stripe's proration (`create_prorations`);
 * - `DOWNGRADE` (anything else): waits for the period boundary `effectiveAt` (a pending change,
 *   cancelable); then `stripe` says what the boundary job does to the subscription;
 * - `SUBSCRIPTION_REQUIRED`: an upgrade to a paid plan without an active subscription goes
 *   through Checkout (createSubscriptionCheckout) instead;
 * - `NO_STRIPE_PRICE`: an upgrade to a paid plan Stripe cannot bill;
 * - `SAME`: nothing to do.
 */
export type PlanChangeDecision =
  | { kind: 'SAME' }
  | { kind: 'SUBSCRIPTION_REQUIRED' }
  | { kind: 'NO_STRIPE_PRICE' }
  | { kind: 'UPGRADE'; stripe: { subscriptionId: string; priceId: string } | null }
  | { kind: 'DOWNGRADE'; effectiveAt: Date };

export function isUpgrade(from: PlanTerms, to: PlanTerms): boolean {
  if (to.monthlyPriceMinor !== from.monthlyPriceMinor)
    return to.monthlyPriceMinor > from.monthlyPriceMinor;
  return to.includedSegments > from.includedSegments;
}

export function decidePlanChange(
  from: PlanTerms,
  to: PlanTerms,
  subscription: SubscriptionState | null,
  now: Date,
): PlanChangeDecision {
  if (from.id === to.id) return { kind: 'SAME' };
  if (!isUpgrade(from, to)) return { kind: 'DOWNGRADE', effectiveAt: nextPeriodStart(now) };
  if (to.monthlyPriceMinor === 0) return { kind: 'UPGRADE', stripe: null };
  if (!to.stripePriceId) return { kind: 'NO_STRIPE_PRICE' };
  if (!subscription?.active) return { kind: 'SUBSCRIPTION_REQUIRED' };
  return {
    kind: 'UPGRADE',
    stripe: { subscriptionId: subscription.id, priceId: to.stripePriceId },
  };
}

/**
 * At the boundary, what happens to the subscription of a pending downgrade: the new plan's price
 * without proration (`SWITCH`), the subscription ended (`CANCEL`: the new plan has no Stripe
 * price, e.g. the free plan), or nothing (no active subscription).
 */
export type BoundaryStripeAction =
  | { kind: 'SWITCH'; subscriptionId: string; priceId: string }
  | { kind: 'CANCEL'; subscriptionId: string }
  | { kind: 'NONE' };

export function boundaryStripeAction(
  to: PlanTerms,
  subscription: SubscriptionState | null,
): BoundaryStripeAction {
  if (!subscription?.active) return { kind: 'NONE' };
  if (to.stripePriceId)
    return { kind: 'SWITCH', subscriptionId: subscription.id, priceId: to.stripePriceId };
  return { kind: 'CANCEL', subscriptionId: subscription.id };
}

/** The next billing period's first instant (a pending change takes effect then). */
export function nextPeriodStart(now: Date): Date {
  return periodBounds(periodOf(now)).end;
}
