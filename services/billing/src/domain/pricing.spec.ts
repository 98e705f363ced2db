import {
  billingUnitsOf,
  chargeFor,
  countryOf,
  estimateSendCost,
  quotaOf,
  settle,
  type PlanTerms,
} from './pricing';
import { periodBounds, periodOf } from './period';
import { planProblems, priceProblems } from './catalog';

const FREE: PlanTerms = {
  includedSegments: 10,
  overageAllowed: false,
  overagePriceMinor: 0,
  refundFailed: true,
};
const PRO: PlanTerms = {
  includedSegments: 10,
  overageAllowed: true,
  overagePriceMinor: 3,
  refundFailed: false,
};

describe('pricing', () => {
  it('finds the destination country of an E.164 number', () => {
    expect(countryOf('+14155550123')).toBe('US');
    expect(countryOf('+4915123456789')).toBe('DE');
    expect(countryOf('+999')).toBe('*');
  });

  it('pays from the allowance first, then overage or the wallet', () => {
    expect(chargeFor({ segments: 3, unitPriceMinor: 2, plan: FREE, includedUsed: 0 })).toEqual({
      includedSegments: 3,
      overageSegments: 0,
      overageAmountMinor: 0,
      walletSegments: 0,
      walletAmountMinor: 0,
    });
    expect(chargeFor({ segments: 3, unitPriceMinor: 2, plan: FREE, includedUsed: 9 })).toEqual({
      includedSegments: 1,
      overageSegments: 0,
      overageAmountMinor: 0,
      walletSegments: 2,
      walletAmountMinor: 4,
    });
    expect(chargeFor({ segments: 3, unitPriceMinor: 2, plan: PRO, includedUsed: 12 })).toEqual({
      includedSegments: 0,
      overageSegments: 3,
      overageAmountMinor: 9,
      walletSegments: 0,
      walletAmountMinor: 0,
    });
    expect(
      chargeFor({
        segments: 2,
        unitPriceMinor: 2,
        plan: { ...PRO, overagePriceMinor: 0 },
        includedUsed: 10,
      }),
    ).toMatchObject({ overageSegments: 2, overageAmountMinor: 4 });
  });

  it('captures what left the platform and refunds failures before it, per plan', () => {
    expect(settle('ACCEPTED', false, 'SENT', true)).toBe('CAPTURE');
    expect(settle('ACCEPTED', false, 'DELIVERED', true)).toBe('CAPTURE');
    expect(settle('ACCEPTED', false, 'FAILED', true)).toBe('REFUND');
    expect(settle('ACCEPTED', false, 'REJECTED', false)).toBe('CAPTURE');
    expect(settle('ACCEPTED', true, 'FAILED', true)).toBe('CAPTURE');
    expect(settle('CAPTURED', false, 'FAILED', true)).toBe('NONE');
    expect(settle('REFUNDED', false, 'DELIVERED', true)).toBe('NONE');
    expect(settle('ACCEPTED', false, 'OTHER', true)).toBe('NONE');
  });

  it('blocks only when neither allowance, overage nor the wallet can pay', () => {
    expect(
      quotaOf({ plan: FREE, includedUsed: 5, walletAvailableMinor: 0, maxSegmentPriceMinor: 2 }),
    ).toEqual({
      remainingIncluded: 5,
      blocked: false,
      reason: null,
    });
    expect(
      quotaOf({ plan: FREE, includedUsed: 10, walletAvailableMinor: 0, maxSegmentPriceMinor: 2 }),
    ).toEqual({
      remainingIncluded: 0,
      blocked: true,
      reason: 'QUOTA_EXCEEDED',
    });
    expect(
      quotaOf({ plan: FREE, includedUsed: 10, walletAvailableMinor: 1, maxSegmentPriceMinor: 2 }),
    ).toMatchObject({
      blocked: true,
      reason: 'INSUFFICIENT_FUNDS',
    });
    expect(
      quotaOf({ plan: FREE, includedUsed: 10, walletAvailableMinor: 2, maxSegmentPriceMinor: 2 })
        .blocked,
    ).toBe(false);
    expect(
      quotaOf({ plan: PRO, includedUsed: 99, walletAvailableMinor: 0, maxSegmentPriceMinor: 2 })
        .blocked,
    ).toBe(false);
    expect(
      quotaOf({
        plan: { ...FREE, includedSegments: 0 },
        includedUsed: 0,
        walletAvailableMinor: 0,
        maxSegmentPriceMinor: 2,
      }),
    ).toMatchObject({ blocked: true, reason: 'INSUFFICIENT_FUNDS' });
  });
});

describe('periods', () => {
  it('are UTC calendar months', () => {
    expect(periodOf(new Date('2026-01-31T23:59:59Z'))).toBe('2026-01');
    expect(periodBounds('2026-12')).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
  });
});

describe('catalog validation', () => {
  const plan = {
    id: 'pro',
    name: 'Pro',
    currency: 'USD',
    monthlyPriceMinor: 4900,
    includedSegments: 5000,
    deviceLimit: 5,
    routes: ['DEVICE' as const],
    overageAllowed: true,
    overagePriceMinor: 2,
    refundFailed: true,
    stripePriceId: null,
  };
  it('accepts a sound plan and names what is wrong with a bad one', () => {
    expect(planProblems(plan)).toEqual([]);
    expect(planProblems({ ...plan, monthlyPriceMinor: 49.5, currency: 'usd' })).toEqual([
      'currency: ISO 4217, upper case',
      'monthlyPriceMinor: a non-negative integer',
    ]);
  });
  it('refuses fractional money and past effective dates', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const price = {
      country: 'US',
      route: 'DEVICE' as const,
      kind: 'SMS' as const,
      currency: 'USD',
      amountMinor: 1,
      effectiveFrom: now,
    };
    expect(priceProblems(price, now)).toEqual([]);
    expect(
      priceProblems({ ...price, amountMinor: 0.5, effectiveFrom: new Date('2026-01-01') }, now),
    ).toEqual(['amountMinor: a non-negative integer', 'effectiveFrom: not in the past']);
  });

  it('bills a message with media as one MMS, outside the allowance, at the MMS price', () => {
    expect(billingUnitsOf({ segments: 4, mediaCount: 1 })).toEqual({ kind: 'MMS', units: 1 });
    expect(billingUnitsOf({ segments: 0, mediaCount: 0 })).toEqual({ kind: 'SMS', units: 1 });
    expect(
      chargeFor({ segments: 1, unitPriceMinor: 5, plan: FREE, includedUsed: 0, kind: 'MMS' }),
    ).toEqual({
      includedSegments: 0,
      overageSegments: 0,
      overageAmountMinor: 0,
      walletSegments: 1,
      walletAmountMinor: 5,
    });
    // Overage plans charge an MMS the price book's MMS price, not the per-segment overage price.
    expect(
      chargeFor({ segments: 1, unitPriceMinor: 5, plan: PRO, includedUsed: 0, kind: 'MMS' }),
    ).toMatchObject({ includedSegments: 0, overageSegments: 1, overageAmountMinor: 5 });
  });

  it('estimates a send: the allowance left first, then overage or the wallet, MMS at its price', () => {
    // Free-like plan: 10 included, 4 used; 20 segments → 6 included, 14 from the wallet at 2.
    expect(
      estimateSendCost({
        smsSegments: 20,
        mms: 0,
        smsPriceMinor: 2,
        mmsPriceMinor: 9,
        plan: FREE,
        includedUsed: 4,
      }),
    ).toEqual({
      includedSegments: 6,
      chargedSegments: 14,
      mms: 0,
      amountMinor: 28,
      walletAmountMinor: 28,
    });
    // Overage plan: the plan's overage price per segment; an MMS never uses the allowance.
    expect(
      estimateSendCost({
        smsSegments: 15,
        mms: 2,
        smsPriceMinor: 2,
        mmsPriceMinor: 9,
        plan: PRO,
        includedUsed: 0,
      }),
    ).toEqual({
      includedSegments: 10,
      chargedSegments: 5,
      mms: 2,
      amountMinor: 5 * 3 + 2 * 9,
      walletAmountMinor: 0,
    });
  });

  it('estimates nothing for nothing, and rounds fractional totals up', () => {
    const none = estimateSendCost({
      smsSegments: 0,
      mms: 0,
      smsPriceMinor: 2,
      mmsPriceMinor: 9,
      plan: FREE,
      includedUsed: 10,
    });
    expect(none.amountMinor).toBe(0);
    const partial = estimateSendCost({
      smsSegments: 10.2,
      mms: 0,
      smsPriceMinor: 1,
      mmsPriceMinor: 1,
      plan: FREE,
      includedUsed: 10,
    });
    expect(partial).toMatchObject({ chargedSegments: 11, amountMinor: 11 });
  });
});
