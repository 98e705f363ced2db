import type { SmsEncoding } from '@switchboard/sms';
import type { MessageError } from './message-error';
import type { MessageDirection, MessageStatus } from './message-status';

/** CARRIER: a carrier of unknown vendor (before routes); TWILIO / TELNYX: carrier routes. */
export type MessageRoute = 'DEVICE' | 'CARRIER' | 'GHL' | 'TWILIO' | 'TELNYX';

/** Why an outbound message is sent: decides which pre-send policies apply to it. */
export const SEND_PURPOSES = ['TRANSACTIONAL', 'CAMPAIGN', 'COMPLIANCE_REPLY'] as const;
export type SendPurpose = (typeof SEND_PURPOSES)[number];

/** A message, sent or received: what the rules decide on and the factories make. Pure. */
export interface Message {
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
  /** Outbound: why it is sent; null for inbound messages. */
  purpose: SendPurpose | null;
  /** Outbound: the queue priority the sender asked for; null/absent: the purpose's default. */
  priority?: number | null;
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
