import type { SmsEncoding } from '@switchboard/sms';
import type { Message, SendPurpose } from './message';
import type { MessageStatus } from './message-status';
import type { Routing, SendTiming } from './send-rules';

/** A send request once the pre-send chain, routing and timing have answered. */
export interface OutboundRequest {
  id: string;
  orgId: string;
  /** E.164. */
  to: string;
  from: string | null;
  body: string;
  mediaUrls: string[];
  encoding?: SmsEncoding;
  segments?: number;
  routing: Routing;
  timing: SendTiming;
  campaignId: string | null;
  idempotencyKey: string | null;
  /** Default TRANSACTIONAL. */
  purpose?: SendPurpose;
  /** The queue priority asked for (checked); absent: the purpose's default. */
  priority?: number | null;
  metadata: Record<string, string>;
  /** The GoHighLevel message it delivers (ghl-sync), if any. */
  ghlMessageId?: string | null;
}

/** A lifecycle transition to report, at a time. */
export interface MessageTransition {
  kind: MessageStatus;
  at: Date;
}

/** A timer of the scheduler: dispatch at scheduledAt, expire at validUntil. */
export interface MessageTimer {
  kind: 'dispatch' | 'expire';
  dueAt: Date;
}

/** What to write for a new outbound message. */
export interface OutboundAcceptance {
  message: Message;
  events: MessageTransition[];
  /** Hand it to the fleet now (attempt 1). */
  dispatch: boolean;
  timers: MessageTimer[];
}

/** A new outbound message, not written yet: QUEUED, not dispatched, nothing happened to it. */
export function newOutboundMessage(request: OutboundRequest, now: Date): Message {
  return {
    id: request.id,
    orgId: request.orgId,
    direction: 'OUTBOUND',
    status: 'QUEUED',
    fromNumber: request.from,
    toNumber: request.to,
    body: request.body,
    encoding: request.encoding ?? 'GSM7',
    segments: request.segments ?? 1,
    mediaUrls: request.mediaUrls,
    route: null,
    deviceId: null,
    simNumber: null,
    requestedDeviceId: request.routing.deviceId,
    requestedSimNumber: request.routing.simNumber,
    conversationId: null,
    campaignId: request.campaignId,
    externalId: null,
    ghlMessageId: request.ghlMessageId ?? null,
    deviceMessageId: null,
    idempotencyKey: request.idempotencyKey,
    purpose: request.purpose ?? 'TRANSACTIONAL',
    priority: request.priority ?? null,
    metadata: request.metadata,
    error: null,
    attempt: 0,
    excludedDeviceIds: [],
    scheduledAt: request.timing.scheduledAt,
    validUntil: request.timing.validUntil,
    eventSequence: 0,
    createdAt: now,
    updatedAt: now,
    queuedAt: null,
    scheduledStatusAt: null,
    dispatchedAt: null,
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    rejectedAt: null,
    expiredAt: null,
    canceledAt: null,
    receivedAt: null,
  };
}

/** A pre-send policy refused it: stored REJECTED with the policy's code, never dispatched. */
export function rejectOutbound(
  message: Message,
  rejection: { code: string; reason: string },
  now: Date,
): OutboundAcceptance {
  return {
    message: {
      ...message,
      status: 'REJECTED',
      rejectedAt: now,
      error: { code: rejection.code, message: rejection.reason, rawCode: null, rawMessage: null },
    },
    events: [{ kind: 'REJECTED', at: now }],
    dispatch: false,
    timers: [],
  };
}

/**
 * Accepted: QUEUED and dispatched now (attempt 1, the device route), or SCHEDULED with a
 * dispatch timer at scheduledAt; an expiry timer at validUntil either way.
 */
export function acceptOutbound(
  message: Message,
  conversationId: string | null,
  now: Date,
): OutboundAcceptance {
  const queued = { ...message, queuedAt: now, conversationId };
  const expiry: MessageTimer[] = message.validUntil
    ? [{ kind: 'expire', dueAt: message.validUntil }]
    : [];
  if (message.scheduledAt) {
    return {
      message: { ...queued, status: 'SCHEDULED', scheduledStatusAt: now },
      events: [
        { kind: 'QUEUED', at: now },
        { kind: 'SCHEDULED', at: now },
      ],
      dispatch: false,
      timers: [{ kind: 'dispatch', dueAt: message.scheduledAt }, ...expiry],
    };
  }
  return {
    message: { ...queued, attempt: 1, route: 'DEVICE' },
    events: [{ kind: 'QUEUED', at: now }],
    dispatch: true,
    timers: expiry,
  };
}
