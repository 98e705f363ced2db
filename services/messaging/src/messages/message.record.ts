import type { Message } from '../domain/message';
import type { MessageError } from '../domain/message-error';

export type { MessageRoute } from '../domain/message';

/** A row of `messages`, as the repository returns it. */
export interface MessageRecord extends Message {
  /** created_at in microseconds since the epoch (exact; for cursors). */
  createdMicros: string;
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
  purpose: 'purpose',
  priority: 'priority',
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
