import type { SmsEncoding } from '@switchboard/sms';
import type { Message } from './message';

/** An SMS a device of the organization received, as devices reported it. */
export interface InboundSms {
  /** The message's id (stable per device and SMS, so a repeated post is the same message). */
  id: string;
  orgId: string;
  deviceId: string;
  /** The device's own id of the SMS. */
  deviceMessageId: string;
  /** The contact: E.164, or the raw sender (an alphanumeric sender id). */
  from: string | null;
  to: string | null;
  body: string;
  encoding: SmsEncoding;
  segments: number;
  simNumber: number | null;
  receivedAt: Date;
  /** An MMS: its media (https URLs; none when the phone keeps the content) and what it said. */
  mms?: { mediaUrls: string[]; size: number; contentClass: string } | null;
}

/** A RECEIVED message, not written yet (its `received` event comes once it is threaded). */
export function newInboundMessage(sms: InboundSms, now: Date): Message {
  return {
    id: sms.id,
    orgId: sms.orgId,
    direction: 'INBOUND',
    status: 'RECEIVED',
    fromNumber: sms.from,
    toNumber: sms.to,
    body: sms.body,
    encoding: sms.encoding,
    segments: sms.segments,
    mediaUrls: sms.mms?.mediaUrls ?? [],
    route: 'DEVICE',
    deviceId: sms.deviceId,
    simNumber: sms.simNumber,
    requestedDeviceId: null,
    requestedSimNumber: null,
    conversationId: null,
    campaignId: null,
    externalId: null,
    ghlMessageId: null,
    deviceMessageId: sms.deviceMessageId,
    idempotencyKey: null,
    purpose: null,
    // An MMS the phone kept the content of is still told apart from an SMS.
    metadata: sms.mms
      ? {
          mms: 'true',
          ...(sms.mms.size ? { mmsSize: String(sms.mms.size) } : {}),
          ...(sms.mms.contentClass ? { mmsContentClass: sms.mms.contentClass } : {}),
        }
      : {},
    error: null,
    attempt: 0,
    excludedDeviceIds: [],
    scheduledAt: null,
    validUntil: null,
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
    receivedAt: sms.receivedAt,
  };
}

/** Organization statuses (accounts' names) whose inbound SMS are not kept: the customer left. */
export const CLOSED_ORGANIZATION_STATUSES: ReadonlySet<string> = new Set([
  'DELETION_SCHEDULED',
  'DELETED',
]);

export type InboundDecision =
  | { action: 'store' }
  /** Dropped: logged and counted, never stored, never dead-lettered. */
  | {
      action: 'drop';
      reason: 'organization-closed' | 'organization-purged' | 'organization-unknown';
    };

/**
 * Whether an inbound SMS is kept. A closed organization's (deletion scheduled, deleted, purged)
 * is dropped: its owner asked us to stop and forget, so nothing is stored — and nothing is
 * dead-lettered either, since a DLQ record would keep the sender's number and text past the
 * purge, for nobody to replay. An organization messaging has not heard of depends on who
 * vouches for it. A phone's SMS (`vouched`: devices took it from a device registered to that
 * organization) and a carrier's (the carrier account it came to is the organization's) are
 * kept: the organization is new and its projection is still on its way on another topic
 * (accounts.organization.v1) — a phone can receive its first SMS seconds after sign-up, before
 * messaging hears of the organization, and waiting for it inside the consumer would hold up the
 * very fetch that brings it. Without such a voucher it is dropped: no customer of ours could
 * ever see the SMS, and a DLQ would keep a stranger's number and text with no owner. A
 * suspended organization still receives: suspension stops sending, and replies received
 * meanwhile are the customer's.
 */
export function decideOnInbound(
  organization: { status: string } | undefined,
  purged: boolean,
  { vouched = false }: { vouched?: boolean } = {},
): InboundDecision {
  if (purged) return { action: 'drop', reason: 'organization-purged' };
  if (!organization) {
    return vouched ? { action: 'store' } : { action: 'drop', reason: 'organization-unknown' };
  }
  if (CLOSED_ORGANIZATION_STATUSES.has(organization.status)) {
    return { action: 'drop', reason: 'organization-closed' };
  }
  return { action: 'store' };
}
