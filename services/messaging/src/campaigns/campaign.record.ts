import type { CampaignStatus } from '../domain/campaign';

/** A campaign as stored, with its fan-out state and counters. */
export interface CampaignRecord {
  id: string;
  orgId: string;
  name: string;
  listId: string;
  template: string;
  ratePerMinute: number;
  /** Its messages' queue priority; null: the campaign default (domain/message-priority). */
  priority: number | null;
  /** Its sender: the route its messages take (null: the organization's routes decide). */
  senderRouteId: string | null;
  /** A number of that route its messages are sent from (a SIM's, a carrier number). */
  senderFrom: string | null;
  /** The sender's route first, then the organization's others (false: that route only). */
  senderFallback: boolean;
  startAt: Date | null;
  endAt: Date | null;
  status: CampaignStatus;
  /** Why the runner paused it itself (its sender cannot send: UNKNOWN_ROUTE, UNKNOWN_SENDER). */
  pausedReason: string | null;
  cursorContactId: string | null;
  tokens: number;
  tokensAt: Date | null;
  recipientsTotal: number;
  messagesCreated: number;
  messagesRejected: number;
  sendErrors: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesFailed: number;
  messagesExpired: number;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  progressNotifiedAt: Date | null;
  /** The rate the runner last paced it at (messages a minute) and what set it; null before. */
  plannedRatePerMinute: number | null;
  plannedLimitedBy: 'REQUESTED' | 'PHONES' | 'CARRIER' | null;
  /** The "rate now" ring (domain/campaign RateRing): created per 5 s slot, newest first. */
  rateSlots: number[];
  rateSlotAt: Date | null;
  createdMicros: string;
}

/** A recipient of the fan-out: a contact of the campaign's list. */
export interface CampaignRecipient {
  id: string;
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
}
