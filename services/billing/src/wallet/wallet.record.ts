/** A row of `wallets`. */
export interface WalletRecord {
  orgId: string;
  currency: string;
  balanceMinor: number;
  heldMinor: number;
  lowBalanceThresholdMinor: number;
  lowBalanceAlerted: boolean;
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
