import type { MessageError } from './domain/message-error';
import type { MessageDirection, MessageStatus } from './domain/message-status';
import type { SmsEncoding } from '@switchboard/sms';

export type MessageRoute = 'DEVICE' | 'CARRIER' | 'GHL';

/** A row of `messages`, as the service works with it. */
export interface MessageRecord {
  id: string;
  orgId: string;
  direction: MessageDirection;
  status: MessageStatus;
  fromNumber: string | null;
  toNumber: string | null;
  /** null once redacted by retention. */
  body: string | null;
  encoding: SmsEncoding;
  segments: number;
  mediaUrls: string[];
  route: MessageRoute | null;
  /** The device that holds, sent or received the message. */
  deviceId: string | null;
  simNumber: number | null;
  /** What the sender asked for (a preference for the device pool). */
  requestedDeviceId: string | null;
  requestedSimNumber: number | null;
  conversationId: string | null;
  campaignId: string | null;
  externalId: string | null;
  ghlMessageId: string | null;
  /** Inbound: the device's own id of the SMS (deduplication). */
  deviceMessageId: string | null;
  idempotencyKey: string | null;
  metadata: Record<string, string>;
  error: MessageError | null;
  /** Current dispatch attempt; 0 = not dispatched yet. */
  attempt: number;
  excludedDeviceIds: string[];
  scheduledAt: Date | null;
  validUntil: Date | null;
  /** Events emitted so far (the last event's `sequence`). */
  eventSequence: number;
  createdAt: Date;
  /** created_at in microseconds since the epoch (exact; for cursors). */
  createdMicros: string;
  updatedAt: Date;
  queuedAt: Date | null;
  scheduledStatusAt: Date | null;
  dispatchedAt: Date | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  failedAt: Date | null;
  rejectedAt: Date | null;
  expiredAt: Date | null;
  canceledAt: Date | null;
  receivedAt: Date | null;
}

/** Columns of MessageRecord fields that can be written. */
export const MESSAGE_COLUMNS = {
  id: 'id',
  orgId: 'org_id',
  direction: 'direction',
  status: 'status',
  fromNumber: 'from_number',
  toNumber: 'to_number',
  body: 'body',
  encoding: 'encoding',
  segments: 'segments',
  mediaUrls: 'media_urls',
  route: 'route',
  deviceId: 'device_id',
  simNumber: 'sim_number',
  requestedDeviceId: 'requested_device_id',
  requestedSimNumber: 'requested_sim_number',
  conversationId: 'conversation_id',
  campaignId: 'campaign_id',
  externalId: 'external_id',
  ghlMessageId: 'ghl_message_id',
  deviceMessageId: 'device_message_id',
  idempotencyKey: 'idempotency_key',
  metadata: 'metadata',
  attempt: 'attempt',
  excludedDeviceIds: 'excluded_device_ids',
  scheduledAt: 'scheduled_at',
  validUntil: 'valid_until',
  eventSequence: 'event_sequence',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  queuedAt: 'queued_at',
  scheduledStatusAt: 'scheduled_status_at',
  dispatchedAt: 'dispatched_at',
  sentAt: 'sent_at',
  deliveredAt: 'delivered_at',
  failedAt: 'failed_at',
  rejectedAt: 'rejected_at',
  expiredAt: 'expired_at',
  canceledAt: 'canceled_at',
  receivedAt: 'received_at',
} as const satisfies Partial<Record<keyof MessageRecord, string>>;

export type MessagePatch = Partial<
  Pick<MessageRecord, keyof typeof MESSAGE_COLUMNS> & { error: MessageError | null }
>;
