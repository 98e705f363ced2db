/**
 * Carrier callbacks, verified already, read into what they mean for us: a status report about
 * one of our outbound messages, an inbound message, or nothing we handle. Plus what a status
 * report does to a message (never backwards). Pure.
 */
import { normalizeCarrierError, type CarrierError, type CarrierKind } from './carrier-errors';
import {
  messageStatusOfCarrier,
  telnyxStatus,
  twilioStatus,
  type CarrierMessageStatus,
} from './carrier-status';
import type { SmsEncoding } from '@switchboard/sms';
import { newInboundMessage } from './inbound-message';
import type { Message } from './message';
import { effectOf, type MessageStatus, type StatusTimestamps } from './message-status';

export interface CarrierStatusReport {
  kind: 'status';
  /** The vendor's message id (our message's externalId). */
  externalId: string;
  status: CarrierMessageStatus;
  error: CarrierError | null;
  /** A replay of the same callback has the same key. */
  dedupeKey: string;
  at: Date | null;
}

export interface CarrierInboundMessage {
  kind: 'inbound';
  externalId: string;
  /** The contact (E.164 or an alphanumeric sender). */
  from: string;
  /** Our number that received it (E.164). */
  to: string;
  body: string;
  mediaUrls: string[];
  dedupeKey: string;
  at: Date | null;
}

export type CarrierCallback =
  CarrierStatusReport | CarrierInboundMessage | { kind: 'ignored'; reason: string };

const MAX_MEDIA = 10;

/** Twilio's status callback (form params posted to the message's StatusCallback). */
export function readTwilioStatusCallback(params: Record<string, string>): CarrierCallback {
  const sid = params.MessageSid ?? params.SmsSid;
  const raw = params.MessageStatus ?? params.SmsStatus;
  const status = twilioStatus(raw);
  if (!sid || !status) return { kind: 'ignored', reason: 'not a message status' };
  const failed = status === 'FAILED';
  return {
    kind: 'status',
    externalId: sid,
    status,
    error:
      failed || params.ErrorCode
        ? normalizeCarrierError('TWILIO', params.ErrorCode || null, params.ErrorMessage || raw)
        : null,
    dedupeKey: `twilio:${sid}:${raw!.toLowerCase()}`,
    at: null,
  };
}

/** Twilio's incoming message webhook (form params: MessageSid, From, To, Body, NumMedia, MediaUrlN). */
export function readTwilioInbound(params: Record<string, string>): CarrierCallback {
  const sid = params.MessageSid ?? params.SmsMessageSid ?? params.SmsSid;
  if (!sid || !params.From || !params.To) return { kind: 'ignored', reason: 'not a message' };
  const count = Math.min(Number.parseInt(params.NumMedia ?? '0', 10) || 0, MAX_MEDIA);
  const mediaUrls: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const url = params[`MediaUrl${i}`];
    if (url) mediaUrls.push(url);
  }
  return {
    kind: 'inbound',
    externalId: sid,
    from: params.From,
    to: params.To,
    body: params.Body ?? '',
    mediaUrls,
    dedupeKey: `twilio:${sid}:received`,
    at: null,
  };
}

interface TelnyxEvent {
  data?: {
    id?: string;
    event_type?: string;
    occurred_at?: string;
    payload?: {
      id?: string;
      from?: { phone_number?: string };
      to?: { phone_number?: string; status?: string }[];
      text?: string | null;
      media?: { url?: string }[];
      errors?: { code?: string | number; title?: string; detail?: string }[];
    };
  };
}

/**
 * A Telnyx messaging webhook (`message.sent`, `message.finalized`: the message's status;
 * `message.received`: inbound). Each event has its own id: the dedupe key.
 */
export function readTelnyxEvent(event: unknown): CarrierCallback {
  const data = (event as TelnyxEvent | null)?.data;
  const payload = data?.payload;
  if (!data?.id || !data.event_type || !payload?.id) {
    return { kind: 'ignored', reason: 'not a messaging event' };
  }
  const at = data.occurred_at ? new Date(data.occurred_at) : null;
  const when = at && !Number.isNaN(at.getTime()) ? at : null;
  const dedupeKey = `telnyx:${data.id}`;
  if (data.event_type === 'message.received') {
    const from = payload.from?.phone_number;
    const to = payload.to?.[0]?.phone_number;
    if (!from || !to) return { kind: 'ignored', reason: 'inbound without numbers' };
    return {
      kind: 'inbound',
      externalId: payload.id,
      from,
      to,
      body: payload.text ?? '',
      mediaUrls: (payload.media ?? [])
        .map((m) => m.url)
        .filter((u): u is string => !!u)
        .slice(0, MAX_MEDIA),
      dedupeKey,
      at: when,
    };
  }
  if (data.event_type === 'message.sent' || data.event_type === 'message.finalized') {
    const raw = payload.to?.[0]?.status;
    const status = telnyxStatus(raw);
    if (!status) return { kind: 'ignored', reason: 'unknown status' };
    const first = payload.errors?.[0];
    return {
      kind: 'status',
      externalId: payload.id,
      status,
      error:
        status === 'FAILED' || first
          ? normalizeCarrierError(
              'TELNYX',
              first?.code ?? null,
              [first?.title, first?.detail].filter(Boolean).join(': ') || raw,
            )
          : null,
      dedupeKey,
      at: when,
    };
  }
  return { kind: 'ignored', reason: `event ${data.event_type}` };
}

export type CarrierReportDecision =
  | { action: 'ignore' }
  /** Move to (or, late, stamp) `reported`. */
  | { action: 'record'; reported: MessageStatus; statusChanged: boolean }
  /** The carrier failed the message: routing decides on failover, else it fails. */
  | { action: 'failed'; error: CarrierError };

/** What a status report does to an outbound message in `status` (the status machine decides). */
export function decideOnCarrierReport(
  message: { status: MessageStatus; timestamps: StatusTimestamps },
  report: Pick<CarrierStatusReport, 'status' | 'error'>,
  kind: CarrierKind,
): CarrierReportDecision {
  const reported = messageStatusOfCarrier(report.status);
  if (!reported) return { action: 'ignore' };
  const effect = effectOf(message.status, reported, message.timestamps);
  if (effect.effect === 'transition') {
    if (reported === 'FAILED') {
      return { action: 'failed', error: report.error ?? normalizeCarrierError(kind, null, null) };
    }
    return { action: 'record', reported, statusChanged: true };
  }
  if (effect.effect === 'late') return { action: 'record', reported, statusChanged: false };
  return { action: 'ignore' };
}

/** An inbound SMS/MMS a carrier delivered to one of the organization's numbers. */
export interface CarrierInboundSms {
  /** Stable per account and vendor message id. */
  id: string;
  orgId: string;
  carrier: CarrierKind;
  externalId: string;
  from: string;
  to: string;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  mediaUrls: string[];
  receivedAt: Date;
}

/** A RECEIVED message from a carrier, not written yet (its event comes once threaded). */
export function newCarrierInboundMessage(sms: CarrierInboundSms, now: Date): Message {
  return {
    ...newInboundMessage(
      {
        id: sms.id,
        orgId: sms.orgId,
        deviceId: '',
        deviceMessageId: '',
        from: sms.from,
        to: sms.to,
        body: sms.body,
        encoding: sms.encoding,
        segments: sms.segments,
        simNumber: null,
        receivedAt: sms.receivedAt,
      },
      now,
    ),
    route: sms.carrier,
    deviceId: null,
    deviceMessageId: null,
    externalId: sms.externalId,
    mediaUrls: sms.mediaUrls,
  };
}
