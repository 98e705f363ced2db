import type { QuotaProjection } from '../src/quota-decision';

/** A projection with 10 segments of allowance left, no wallet and no overage: tests vary it. */
export const ALLOWANCE_LEFT: Readonly<QuotaProjection> = Object.freeze({
  remainingIncluded: 10,
  walletAvailableMinor: 0,
  maxSegmentPriceMinor: 2,
  maxMmsPriceMinor: 5,
  overageAllowed: false,
  blockReason: null,
  localIncludedUsed: 0,
  localWalletSpent: 0,
});
