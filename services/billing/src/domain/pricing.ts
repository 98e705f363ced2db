import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The routes a message can take, as the price book names them. */
export const ROUTES = ['DEVICE', 'CARRIER', 'GHL'] as const;
export type RouteName = (typeof ROUTES)[number];
export type MessageKind = 'SMS' | 'MMS';
/** The price book's catch-all country. */
export const ANY_COUNTRY = '*';

/** The destination country (ISO 3166 alpha-2) of an E.164 number, or '*' when unknown. */
export function countryOf(e164: string): string {
  return parsePhoneNumberFromString(e164)?.country ?? ANY_COUNTRY;
}

/** A plan as metering and quotas see it. */
export interface PlanTerms {
  includedSegments: number;
  overageAllowed: boolean;
  /** Per segment; 0: the price book's price. */
  overagePriceMinor: number;
  /** Refund messages REJECTED/FAILED/EXPIRED/CANCELED before they left the platform. */
  refundFailed: boolean;
}

/** How an accepted message is paid: from the allowance, as overage, or from the wallet. */
export interface Charge {
  includedSegments: number;
  overageSegments: number;
  overageAmountMinor: number;
  walletSegments: number;
  walletAmountMinor: number;
}

/**
 * How a message is billed: with media, as one MMS (whatever its text length) at the price
 * book's MMS price; else per SMS segment.
 */
export function billingUnitsOf(message: { segments: number; mediaCount: number }): {
  kind: MessageKind;
  units: number;
} {
  return message.mediaCount > 0
    ? { kind: 'MMS', units: 1 }
    : { kind: 'SMS', units: Math.max(1, message.segments) };
}

/**
 * Splits an accepted message's segments (an MMS: its one unit): first the period's remaining
 * allowance (SMS only: the allowance is SMS segments), then overage when the plan allows it (at
 * the plan's overage price per SMS segment, or the price book's; an MMS at the MMS price), else
 * the wallet at the price book's price. Integers only.
 */
export function chargeFor(input: {
  segments: number;
  unitPriceMinor: number;
  plan: PlanTerms;
  includedUsed: number;
  kind?: MessageKind;
}): Charge {
  const mms = input.kind === 'MMS';
  const remaining = mms ? 0 : Math.max(0, input.plan.includedSegments - input.includedUsed);
  const includedSegments = Math.min(input.segments, remaining);
  const rest = input.segments - includedSegments;
  if (input.plan.overageAllowed) {
    const price =
      !mms && input.plan.overagePriceMinor > 0
        ? input.plan.overagePriceMinor
        : input.unitPriceMinor;
    return {
      includedSegments,
      overageSegments: rest,
      overageAmountMinor: rest * price,
      walletSegments: 0,
      walletAmountMinor: 0,
    };
  }
  return {
    includedSegments,
    overageSegments: 0,
    overageAmountMinor: 0,
    walletSegments: rest,
    walletAmountMinor: rest * input.unitPriceMinor,
  };
}

export type UsageState = 'ACCEPTED' | 'CAPTURED' | 'REFUNDED';
export type StatusStep =
  'SENT' | 'DELIVERED' | 'FAILED' | 'REJECTED' | 'EXPIRED' | 'CANCELED' | 'OTHER';

/**
 * What a later status means for an accepted message's charge. Sent or delivered: it left the
 * platform, the charge is captured. Failed/rejected/expired/canceled before it left: refunded
 * when the plan says so, else captured. After it left, a failure changes nothing.
 */
export function settle(
  state: UsageState,
  leftPlatform: boolean,
  step: StatusStep,
  refundFailed: boolean,
): 'CAPTURE' | 'REFUND' | 'NONE' {
  if (state !== 'ACCEPTED') return 'NONE';
  switch (step) {
    case 'SENT':
    case 'DELIVERED':
      return 'CAPTURE';
    case 'FAILED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'CANCELED':
      return leftPlatform ? 'CAPTURE' : refundFailed ? 'REFUND' : 'CAPTURE';
    default:
      return 'NONE';
  }
}

/** Why sends are refused, or null. */
export type BlockReason = 'QUOTA_EXCEEDED' | 'INSUFFICIENT_FUNDS' | null;

/**
 * The quota as published: blocked when the allowance is used up and the plan allows no
 * overage and the wallet cannot pay one more segment at the highest price in force.
 */
export function quotaOf(input: {
  plan: PlanTerms;
  includedUsed: number;
  walletAvailableMinor: number;
  maxSegmentPriceMinor: number;
}): { remainingIncluded: number; blocked: boolean; reason: BlockReason } {
  const remainingIncluded = Math.max(0, input.plan.includedSegments - input.includedUsed);
  if (remainingIncluded > 0 || input.plan.overageAllowed) {
    return { remainingIncluded, blocked: false, reason: null };
  }
  if (input.walletAvailableMinor >= Math.max(1, input.maxSegmentPriceMinor)) {
    return { remainingIncluded, blocked: false, reason: null };
  }
  const reason =
    input.plan.includedSegments > 0 && input.walletAvailableMinor <= 0
      ? 'QUOTA_EXCEEDED'
      : 'INSUFFICIENT_FUNDS';
  return { remainingIncluded, blocked: true, reason };
}

/** What sending a number of SMS segments and MMS would cost the organization now. */
export interface SendCostEstimate {
  /** SMS segments the period's remaining allowance covers. */
  includedSegments: number;
  /** SMS segments charged (overage or wallet). */
  chargedSegments: number;
  mms: number;
  /** Everything charged (overage + wallet), in minor units. */
  amountMinor: number;
  /** Of which taken from the wallet (plans without overage). */
  walletAmountMinor: number;
}

/**
 * The cost of sending `smsSegments` SMS segments and `mms` MMS now, charged as metering would
 * charge them one by one (chargeFor): the remaining allowance first, then overage or the
 * wallet, at the given price-book prices. An estimate: the allowance others use meanwhile and
 * later price versions are not known.
 */
export function estimateSendCost(input: {
  smsSegments: number;
  mms: number;
  smsPriceMinor: number;
  mmsPriceMinor: number;
  plan: PlanTerms;
  includedUsed: number;
}): SendCostEstimate {
  const sms = chargeFor({
    segments: Math.max(0, Math.ceil(input.smsSegments)),
    unitPriceMinor: input.smsPriceMinor,
    plan: input.plan,
    includedUsed: input.includedUsed,
    kind: 'SMS',
  });
  const mms = chargeFor({
    segments: Math.max(0, Math.ceil(input.mms)),
    unitPriceMinor: input.mmsPriceMinor,
    plan: input.plan,
    includedUsed: input.includedUsed,
    kind: 'MMS',
  });
  return {
    includedSegments: sms.includedSegments,
    chargedSegments: sms.overageSegments + sms.walletSegments,
    mms: Math.max(0, Math.ceil(input.mms)),
    amountMinor:
      sms.overageAmountMinor +
      sms.walletAmountMinor +
      mms.overageAmountMinor +
      mms.walletAmountMinor,
    walletAmountMinor: sms.walletAmountMinor + mms.walletAmountMinor,
  };
}
