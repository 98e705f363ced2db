import type { Charge, MessageKind, RouteName, UsageState } from '../domain/pricing';

/** A row of `usage_entries`: one accepted outbound message. */
export interface UsageRecord extends Charge {
  orgId: string;
  messageId: string;
  period: string;
  acceptedAt: Date;
  route: RouteName;
  country: string;
  kind: MessageKind;
  segments: number;
  currency: string;
  unitPriceMinor: number;
  state: UsageState;
  leftPlatform: boolean;
}

/** Usage of a period per route, country and kind (an MMS line's segments are its MMS). */
export interface UsageLine {
  route: RouteName;
  country: string;
  kind: MessageKind;
  messages: number;
  segments: number;
  includedSegments: number;
  overageSegments: number;
  overageAmountMinor: number;
  walletAmountMinor: number;
  refundedMessages: number;
}
