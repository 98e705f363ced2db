/**
 * Vendor message statuses (Twilio `MessageStatus`, Telnyx `to[].status`) mapped to the status
 * a carrier report moves a message to. Pure. `null`: the report says nothing new (still on
 * its way at the vendor), so it changes nothing.
 */
import type { MessageStatus } from './message-status';

/** What a carrier may report about an outbound message. */
export type CarrierMessageStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'FAILED';

/** Twilio's `message_enum_status` (twilio_api_v2010.json). */
const TWILIO_STATUSES: Readonly<Record<string, CarrierMessageStatus>> = {
  accepted: 'QUEUED',
  scheduled: 'QUEUED',
  queued: 'QUEUED',
  sending: 'QUEUED',
  sent: 'SENT',
  delivered: 'DELIVERED',
  // Read receipts (RCS/WhatsApp) and partial MMS delivery both mean the handset got it.
  read: 'DELIVERED',
  partially_delivered: 'DELIVERED',
  undelivered: 'FAILED',
  failed: 'FAILED',
  canceled: 'FAILED',
};

/** Telnyx's message `to[].status` (spec3.yml, Message / OutboundMessagePayload). */
const TELNYX_STATUSES: Readonly<Record<string, CarrierMessageStatus>> = {
  queued: 'QUEUED',
  sending: 'QUEUED',
  sent: 'SENT',
  // Handed to the destination carrier, which gave no receipt: as far as we will ever know, sent.
  delivery_unconfirmed: 'SENT',
  delivered: 'DELIVERED',
  sending_failed: 'FAILED',
  delivery_failed: 'FAILED',
  expired: 'FAILED',
};

export function twilioStatus(raw: string | undefined): CarrierMessageStatus | undefined {
  return raw ? TWILIO_STATUSES[raw.trim().toLowerCase()] : undefined;
}

export function telnyxStatus(raw: string | undefined): CarrierMessageStatus | undefined {
  return raw ? TELNYX_STATUSES[raw.trim().toLowerCase()] : undefined;
}

/**
 * The message status a carrier report leads to: QUEUED reports change nothing (the message
 * is already SENT once the carrier accepted it); the status machine then decides whether the
 * move is forward (never backwards).
 */
export function messageStatusOfCarrier(status: CarrierMessageStatus): MessageStatus | null {
  return status === 'QUEUED' ? null : status;
}
