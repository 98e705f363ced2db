import type { CampaignStatus } from '../domain/campaign';

/** A campaign as stored, with its fan-out state and counters. */
export interface CampaignRecord {
  id: string;
  orgId: string;
  name: string;
  listId: string;
  template: string;
  ratePerMinute: number;
  startAt: Date | null;
  endAt: Date | null;
  status: CampaignStatus;
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
  createdMicros: string;
}

/** A recipient of the fan-out: a contact of the campaign's list. */
export interface CampaignRecipient {
  id: string;
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
}
