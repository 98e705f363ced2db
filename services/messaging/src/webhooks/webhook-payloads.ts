import { timestampDate } from '@bufbuild/protobuf/wkt';
import { complianceV1, messagingV1 } from '@switchboard/contracts';
import { stableUuid } from '../common/stable-id';
import type { WebhookEventType } from '../domain/webhook-event-types';

/** What a delivery sends: the `webhook-id`, the event type and the exact JSON body. */
export interface WebhookPayload {
  eventId: string;
  type: WebhookEventType | 'webhook.ping';
  body: string;
  /** When the event happened. */
  occurredAt: Date;
}

const name = <E extends Record<number, string>>(e: E, value: number): string | null =>
  value ? (e[value] ?? null) : null;

/**
 * A `messaging.message.v1` event as a customer webhook (Standard Webhooks body shape
 * `{ type, timestamp, data }`): `message.received` for inbound messages (with the body, as the
 * API shows it), `message.status_changed` for every lifecycle event of an outbound one.
 */
/** The webhook event type of a message event. */
export function messageWebhookType(event: messagingV1.MessageEvent): WebhookEventType {
  return event.direction === messagingV1.Direction.INBOUND
    ? 'message.received'
    : 'message.status_changed';
}

export function messageWebhook(eventId: string, event: messagingV1.MessageEvent): WebhookPayload {
  const inbound = event.direction === messagingV1.Direction.INBOUND;
  const type = messageWebhookType(event);
  const occurredAt = event.occurredAt ? timestampDate(event.occurredAt) : new Date(0);
  const data = {
    messageId: event.messageId,
    status: name(messagingV1.MessageStatus, event.status),
    event: name(messagingV1.MessageEventKind, event.kind),
    direction: inbound ? 'INBOUND' : 'OUTBOUND',
    from: event.from?.e164 || null,
    to: event.to?.e164 || null,
    segments: event.segments,
    route: name(messagingV1.Route, event.route),
    deviceId: event.deviceId || null,
    simNumber: event.simNumber || null,
    conversationId: event.conversationId || null,
    campaignId: event.campaignId || null,
    externalId: event.externalId || null,
    attempt: event.attempt,
    purpose: name(messagingV1.SendPurpose, event.purpose),
    idempotencyKey: event.idempotencyKey || null,
    error: event.error?.code
      ? {
          code: event.error.code,
          message: event.error.message,
          rawCode: event.error.rawCode || null,
        }
      : null,
    metadata: event.metadata,
    ...(inbound ? { body: event.body } : {}),
    occurredAt: occurredAt.toISOString(),
  };
  return {
    eventId: `msg_${eventId}`,
    type,
    body: JSON.stringify({ type, timestamp: occurredAt.toISOString(), data }),
    occurredAt,
  };
}

/**
 * A number's opt-out change (`compliance.suppression.v1`) as `opt_out.changed`; undefined when
 * the record carries no opt-out change. Its id derives from the change (number and time), so
 * a consent or DND update of the same number does not repeat it.
 */
export function optOutWebhook(state: complianceV1.SuppressionState): WebhookPayload | undefined {
  if (!state.optedOutChangedAt || !state.phoneNumber?.e164) return undefined;
  const changedAt = timestampDate(state.optedOutChangedAt);
  const type: WebhookEventType = 'opt_out.changed';
  const data = {
    phoneNumber: state.phoneNumber.e164,
    optedOut: state.optedOut,
    source: name(complianceV1.ConsentSource, state.optOutSource),
    changedAt: changedAt.toISOString(),
  };
  return {
    eventId: `msg_${stableUuid('webhook-opt-out', state.orgId, state.phoneNumber.e164, changedAt.getTime())}`,
    type,
    body: JSON.stringify({ type, timestamp: changedAt.toISOString(), data }),
    occurredAt: changedAt,
  };
}

/** A campaign's progress as its `campaign.progress` webhook shows it. */
export interface CampaignProgressSnapshot {
  orgId: string;
  campaignId: string;
  status: string;
  /** PAUSED by the runner: why (UNKNOWN_ROUTE, UNKNOWN_SENDER); null otherwise. */
  pausedReason?: string | null;
  recipientsTotal: number;
  messagesCreated: number;
  messagesRejected: number;
  sendErrors: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesFailed: number;
  messagesExpired: number;
  /** Live figures (domain/campaign liveProgress): not part of the event id. */
  rateNow?: number;
  plannedRatePerMinute?: number;
  etaSeconds?: number;
  /** ISO time, null when not running. */
  eta?: string | null;
}

const LIVE_PROGRESS_FIELDS = ['rateNow', 'plannedRatePerMinute', 'etaSeconds', 'eta'];

/**
 * `campaign.progress`: the campaign's counters now. Its id derives from the campaign, its status
 * and its counters (not from the live rate and ETA, which move with the clock), so the same
 * progress is never sent twice.
 */
export function campaignProgressWebhook(
  progress: CampaignProgressSnapshot,
  now: Date,
): WebhookPayload {
  const type: WebhookEventType = 'campaign.progress';
  const { orgId, ...data } = progress;
  const counters = Object.fromEntries(
    Object.entries(data).filter(([key]) => !LIVE_PROGRESS_FIELDS.includes(key)),
  );
  return {
    eventId: `msg_${stableUuid('webhook-campaign-progress', orgId, JSON.stringify(counters))}`,
    type,
    body: JSON.stringify({ type, timestamp: now.toISOString(), data }),
    occurredAt: now,
  };
}

export function pingWebhook(eventId: string, endpointId: string, now: Date): WebhookPayload {
  const type = 'webhook.ping' as const;
  return {
    eventId: `msg_${eventId}`,
    type,
    body: JSON.stringify({ type, timestamp: now.toISOString(), data: { endpointId } }),
    occurredAt: now,
  };
}
