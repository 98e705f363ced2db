/** A row of `wallets`. */
export interface WalletRecord {
  orgId: string;
  currency: string;
  balanceMinor: number;
  heldMinor: number;
  lowBalanceThresholdMinor: number;
  lowBalanceAlerted: boolean;
  /** Auto-recharge asks for a charge below this available balance; null: off or paused. */
  autoRechargeBelowMinor: number | null;
}

/** A row of `auto_recharge`: the organization's settings. */
export interface AutoRechargeRecord {
  belowMinor: number;
  amountMinor: number;
  stripePaymentMethodId: string;
  status: 'ENABLED' | 'PAUSED';
  pausedReason: string | null;
  updatedAt: Date;
}

/** A row of `auto_recharge_attempts`: one off-session charge. */
export interface AutoRechargeAttemptRecord {
  id: string;
  amountMinor: number;
  currency: string;
  stripePaymentMethodId: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  stripePaymentIntentId: string | null;
  failureCode: string | null;
  createdAt: Date;
}

export type WalletEntryKind = 'TOPUP' | 'RESERVATION' | 'CAPTURE' | 'RELEASE' | 'ADJUSTMENT';

/** A row of `wallet_entries` (immutable). */
export interface WalletEntryRecord {
  id: string;
  seq: number;
  kind: WalletEntryKind;
  amountMinor: number;
  heldMinor: number;
  currency: string;
  reference: string;
  description: string;
  createdAt: Date;
}
