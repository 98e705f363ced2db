import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { devicesV1, messagingV1, commonV1, Topics } from '@switchboard/contracts';
import type { EventDraft } from '@switchboard/events';
import { stableUuid } from '../common/stable-id';
import type { SendPurpose } from '../domain/message';
import { messagePriority } from '../domain/message-priority';
import type { MessageStatus } from '../domain/message-status';
import type { SendActor, SendMessageCommand } from './send-request';
import type { MessageRecord } from './message.record';

/** The lifecycle events of messaging.message.v1 (kind = the transition reported). */
export type MessageEventKind = Exclude<MessageStatus, never>;

const encodingOf = (record: MessageRecord) =>
  record.encoding === 'GSM7' ? commonV1.SmsEncoding.GSM7 : commonV1.SmsEncoding.UCS2;

const phone = (e164: string | null) => ({ e164: e164 && e164.startsWith('+') ? e164 : '' });

/**
 * A `messaging.message.v1` event about `record` (already in its new state), as the
 * `sequence`-th event of the message. Its id derives from (message, sequence), so an event is
 * written at most once. Outbound events never carry the body (see message.proto).
 */
export function messageEventDraft(
  record: MessageRecord,
  kind: MessageEventKind | 'MEDIA_STORED',
  sequence: number,
  occurredAt: Date,
  /** MEDIA_STORED only: signed links to the stored media. */
  mediaLinks: string[] = [],
): EventDraft<typeof messagingV1.MessageEventSchema> {
  return {
    topic: Topics.messaging.message,
    key: record.id,
    id: stableUuid('message-event', record.id, sequence),
    orgId: record.orgId,
    time: occurredAt,
    event: {
      messageId: record.id,
      orgId: record.orgId,
      kind: messagingV1.MessageEventKind[kind],
      status: messagingV1.MessageStatus[record.status],
      direction:
        record.direction === 'OUTBOUND'
          ? messagingV1.Direction.OUTBOUND
          : messagingV1.Direction.INBOUND,
      from: phone(record.fromNumber),
      to: phone(record.toNumber),
      segments: record.segments,
      encoding: encodingOf(record),
      route: record.route ? messagingV1.Route[record.route] : messagingV1.Route.UNSPECIFIED,
      deviceId: record.deviceId ?? '',
      campaignId: record.campaignId ?? '',
      conversationId: record.conversationId ?? '',
      error: record.error
        ? {
            code: record.error.code,
            message: record.error.message,
            rawCode: record.error.rawCode ?? '',
            rawMessage: record.error.rawMessage ?? '',
          }
        : undefined,
      occurredAt: timestampFromDate(occurredAt),
      metadata: record.metadata,
      body: kind === 'RECEIVED' || kind === 'MEDIA_STORED' ? (record.body ?? '') : '',
      sequence,
      externalId: record.externalId ?? '',
      simNumber: record.simNumber ?? 0,
      attempt: record.attempt,
      scheduledAt: record.scheduledAt ? timestampFromDate(record.scheduledAt) : undefined,
      validUntil: record.validUntil ? timestampFromDate(record.validUntil) : undefined,
      idempotencyKey: record.idempotencyKey ?? '',
      ghlMessageId: record.ghlMessageId ?? '',
      purpose:
        record.direction === 'OUTBOUND'
          ? messagingV1.SendPurpose[record.purpose ?? 'TRANSACTIONAL']
          : messagingV1.SendPurpose.UNSPECIFIED,
      // Billing prices a message with media as an MMS.
      mediaCount: record.mediaUrls.length,
      mediaLinks,
    },
  };
}

/**
 * `devices.dispatch.v1` DispatchCommand{dispatch} for attempt `record.attempt`. One id per
 * (message, attempt): a message can reach the fleet once per attempt, never twice.
 */
export function dispatchCommandDraft(
  record: MessageRecord,
  issuedAt: Date,
): EventDraft<typeof devicesV1.DispatchCommandSchema> {
  return {
    topic: Topics.devices.dispatch,
    key: record.id,
    id: stableUuid('dispatch', record.id, record.attempt),
    orgId: record.orgId,
    time: issuedAt,
    event: {
      messageId: record.id,
      orgId: record.orgId,
      issuedAt: timestampFromDate(issuedAt),
      command: {
        case: 'dispatch',
        value: {
          to: phone(record.toNumber),
          body: record.body ?? '',
          segments: record.segments,
          encoding: encodingOf(record),
          deviceId: record.requestedDeviceId ?? '',
          simNumber: record.requestedSimNumber ?? 0,
          validUntil: record.validUntil ? timestampFromDate(record.validUntil) : undefined,
          attempt: record.attempt,
          excludedDeviceIds: record.excludedDeviceIds,
          priority: messagePriority(record.purpose ?? 'TRANSACTIONAL', record.priority),
        },
      },
    },
  };
}

/** `devices.dispatch.v1` DispatchCommand{cancel}: at most one per message. */
export function cancelCommandDraft(
  record: MessageRecord,
  reason: string,
  issuedAt: Date,
): EventDraft<typeof devicesV1.DispatchCommandSchema> {
  return {
    topic: Topics.devices.dispatch,
    key: record.id,
    id: stableUuid('cancel', record.id),
    orgId: record.orgId,
    time: issuedAt,
    event: {
      messageId: record.id,
      orgId: record.orgId,
      issuedAt: timestampFromDate(issuedAt),
      command: { case: 'cancel', value: { reason } },
    },
  };
}

const PURPOSES: Record<messagingV1.SendPurpose, SendPurpose | null> = {
  [messagingV1.SendPurpose.UNSPECIFIED]: null,
  [messagingV1.SendPurpose.TRANSACTIONAL]: 'TRANSACTIONAL',
  [messagingV1.SendPurpose.CAMPAIGN]: 'CAMPAIGN',
  [messagingV1.SendPurpose.COMPLIANCE_REPLY]: 'COMPLIANCE_REPLY',
};

const ACTOR_KINDS: Partial<Record<commonV1.ActorType, SendActor['kind']>> = {
  [commonV1.ActorType.USER]: 'user',
  [commonV1.ActorType.API_TOKEN]: 'api_token',
  [commonV1.ActorType.DEVICE]: 'device',
  [commonV1.ActorType.SERVICE]: 'service',
  [commonV1.ActorType.SYSTEM]: 'system',
};

/**
 * A `messaging.send.v1` SendMessageCommand as the send request `MessagesService.send` takes
 * (the same as the GraphQL input's). An unspecified purpose is CAMPAIGN for a campaign's
 * message, TRANSACTIONAL otherwise.
 */
export function sendRequestOfCommand(command: messagingV1.SendMessageCommand): {
  request: SendMessageCommand;
  actor: SendActor | undefined;
} {
  const purpose = PURPOSES[command.purpose] ?? (command.campaignId ? 'CAMPAIGN' : 'TRANSACTIONAL');
  const actor = command.requestedBy;
  return {
    request: {
      to: command.to,
      from: command.from || null,
      body: command.body,
      ...(command.mediaUrls.length > 0 ? { mediaUrls: command.mediaUrls } : {}),
      idempotencyKey: command.idempotencyKey || null,
      validUntil: command.validUntil ? timestampDate(command.validUntil) : null,
      metadata: command.metadata,
      campaignId: command.campaignId || null,
      purpose,
      replyToMessageId: command.replyToMessageId || null,
      ...(command.ghlMessageId ? { ghlMessageId: command.ghlMessageId } : {}),
      ...(command.priority !== undefined ? { priority: command.priority } : {}),
      ...(command.routeId
        ? { routeId: command.routeId, routeFallback: command.routeFallback }
        : {}),
    },
    actor: actor
      ? {
          kind: ACTOR_KINDS[actor.type] ?? 'service',
          id: actor.id,
          ...(actor.orgId ? { orgId: actor.orgId } : {}),
        }
      : undefined,
  };
}
