import { boundaryStripeAction, decidePlanChange, isUpgrade, nextPeriodStart } from './plan-change';

const plan = (id: string, monthlyPriceMinor: number, includedSegments: number, price = true) => ({
  id,
  monthlyPriceMinor,
  includedSegments,
  stripePriceId: price ? `price_${id}` : null,
});
const free = plan('free', 0, 100, false);
const basic = plan('basic', 1900, 2000);
const pro = plan('pro', 4900, 10000);
const active = { id: 'sub_1', active: true };
const now = new Date('2026-11-29T18:00:00Z');

describe('plan changes', () => {
  it('calls a higher price, or the same price with more segments, an upgrade', () => {
    expect(isUpgrade(basic, pro)).toBe(true);
    expect(isUpgrade(pro, basic)).toBe(false);
    expect(isUpgrade(plan('a', 1900, 1000), plan('b', 1900, 3000))).toBe(true);
    expect(isUpgrade(plan('a', 1900, 3000), plan('b', 1900, 3000))).toBe(false);
  });

  it('upgrades at once, switching the subscription with proration', () => {
    expect(decidePlanChange(basic, pro, active, now)).toEqual({
      kind: 'UPGRADE',
      stripe: { subscriptionId: 'sub_1', priceId: 'price_pro' },
    });
    expect(decidePlanChange(basic, basic, active, now)).toEqual({ kind: 'SAME' });
  });

  it('sends an upgrade to a paid plan without a subscription through Checkout', () => {
    expect(decidePlanChange(free, pro, null, now)).toEqual({ kind: 'SUBSCRIPTION_REQUIRED' });
    expect(decidePlanChange(free, pro, { id: 'sub_1', active: false }, now)).toEqual({
      kind: 'SUBSCRIPTION_REQUIRED',
    });
    expect(decidePlanChange(free, plan('x', 900, 1, false), null, now)).toEqual({
      kind: 'NO_STRIPE_PRICE',
    });
    expect(decidePlanChange(free, plan('more-free', 0, 500, false), null, now)).toEqual({
      kind: 'UPGRADE',
      stripe: null,
    });
  });

  it('holds a downgrade until the next period, whatever the subscription', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    expect(decidePlanChange(pro, basic, active, now)).toEqual({
      kind: 'DOWNGRADE',
      effectiveAt: at,
    });
    expect(decidePlanChange(pro, free, active, now)).toEqual({
      kind: 'DOWNGRADE',
      effectiveAt: at,
    });
    expect(nextPeriodStart(new Date('2026-12-31T23:59:59.999Z'))).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
  });

  it('switches the subscription at the boundary, or ends it for a plan Stripe does not bill', () => {
    expect(boundaryStripeAction(basic, active)).toEqual({
      kind: 'SWITCH',
      subscriptionId: 'sub_1',
      priceId: 'price_basic',
    });
    expect(boundaryStripeAction(free, active)).toEqual({ kind: 'CANCEL', subscriptionId: 'sub_1' });
    expect(boundaryStripeAction(basic, null)).toEqual({ kind: 'NONE' });
  });
});
