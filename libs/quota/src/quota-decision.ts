/**
 * The pre-send quota check, decided on the service's local projection of billing.quota.v1
 * (no call to billing on the send path). Each allowed send debits the projection
 * (`localIncludedUsed`, `localWalletSpent`) as its transaction's last step, in one statement
 * that decides again (QuotaStateStore.take), so concurrent sends against one published state
 * never together exceed it. A newer state from billing
 * replaces the projection and clears the local debits.
 *
 * Overshoot bound: billing meters every accepted message (exactly once), so the ledger is
 * always right; what can exceed the quota is only what messaging accepts between billing
 * computing a state and messaging applying it — sends accepted locally but not yet metered
 * when a newer state clears the local debits. Sends against one state: none. In general: at
 * most the segments messaging accepts during one metering round trip (messaging's QUEUED event
 * → billing meters it → the new quota → messaging applies it; see libs/quota/README.md).
 * Wallet debits use the highest per-segment price in force (`maxSegmentPriceMinor`), never less
 * than billing charges.
 */
export interface QuotaProjection {
  remainingIncluded: number;
  walletAvailableMinor: number;
  maxSegmentPriceMinor: number;
  /** The highest MMS price in force (an MMS is one unit, never paid from the allowance). */
  maxMmsPriceMinor: number;
  overageAllowed: boolean;
  /** Billing's reason when its state says blocked, else null. */
  blockReason: QuotaRefusal | null;
  localIncludedUsed: number;
  localWalletSpent: number;
}

export type QuotaRefusal = 'QUOTA_EXCEEDED' | 'INSUFFICIENT_FUNDS';

export type QuotaDecision =
  | { allowed: true; includedDebit: number; walletDebitMinor: number }
  | { allowed: false; code: QuotaRefusal };

/**
 * `segments` SMS segments, or with `mms` one MMS: the allowance covers SMS segments only; an MMS
 * is overage or paid from the wallet at the highest MMS price.
 */
export function decideQuota(p: QuotaProjection, segments: number, mms = false): QuotaDecision {
  const remaining = mms ? 0 : Math.max(0, p.remainingIncluded - p.localIncludedUsed);
  const units = mms ? 1 : segments;
  const includedDebit = Math.min(units, remaining);
  const rest = units - includedDebit;
  if (rest === 0 || p.overageAllowed) return { allowed: true, includedDebit, walletDebitMinor: 0 };
  const walletDebitMinor = rest * Math.max(1, mms ? p.maxMmsPriceMinor : p.maxSegmentPriceMinor);
  const available = p.walletAvailableMinor - p.localWalletSpent;
  if (walletDebitMinor <= available) return { allowed: true, includedDebit, walletDebitMinor };
  // Money left but not enough: the wallet is the limit. Nothing left: billing's reason, or the
  // allowance when billing had not seen the limit reached yet.
  if (available > 0) return { allowed: false, code: 'INSUFFICIENT_FUNDS' };
  return { allowed: false, code: p.blockReason ?? 'QUOTA_EXCEEDED' };
}
