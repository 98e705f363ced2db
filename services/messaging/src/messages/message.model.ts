import {
  Directive,
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { MetadataScalar } from '../common/metadata.scalar';
import type { Page } from '../common/page';
import { PageInfo } from '@switchboard/service-kit';
import {
  MESSAGE_STATUSES,
  type MessageDirection,
  type MessageStatus,
} from '../domain/message-status';
import type { SmsEncoding } from '@switchboard/sms';
import type { MessageRecord, MessageRoute } from './message.record';
import type { MessageFilterInput, SendOutcome } from './messages.service';
import { messagePriority } from '../domain/message-priority';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const MessageStatusEnum = enumOf(MESSAGE_STATUSES);
export const MessageDirectionEnum = enumOf<MessageDirection>(['OUTBOUND', 'INBOUND']);
export const MessageEncodingEnum = enumOf<SmsEncoding>(['GSM7', 'UCS2']);
export const MessageRouteEnum = enumOf<MessageRoute>([
  'DEVICE',
  'CARRIER',
  'GHL',
  'TWILIO',
  'TELNYX',
]);

registerEnumType(MessageStatusEnum, {
  name: 'MessageStatus',
  description:
    'Outbound: QUEUED → SCHEDULED? → DISPATCHED → SENT → DELIVERED, or FAILED / REJECTED / EXPIRED / CANCELED. Inbound: RECEIVED. Never moves backwards.',
});
registerEnumType(MessageDirectionEnum, { name: 'MessageDirection' });
registerEnumType(MessageEncodingEnum, {
  name: 'MessageEncoding',
  description: 'GSM7: 160 characters single, 153 per part. UCS2: 70 / 67 UTF-16 code units.',
});
registerEnumType(MessageRouteEnum, { name: 'MessageRoute' });

@ObjectType({ description: 'Why a message failed, was rejected or expired.' })
export class MessageErrorModel {
  @Field(() => String, {
    description: 'Normalized code, e.g. DEVICE_OFFLINE, CARRIER_REJECTED, EXPIRED.',
  })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true, description: "The route's own code, unchanged." })
  rawCode!: string | null;

  @Field(() => String, { nullable: true, description: "The route's own text, unchanged." })
  rawMessage!: string | null;
}

@ObjectType('Message', { description: 'An SMS sent or received by the organization.' })
@Directive('@key(fields: "id")')
export class MessageModel {
  @Field(() => ID)
  id!: string;

  @Field(() => MessageDirectionEnum)
  direction!: MessageDirection;

  @Field(() => MessageStatusEnum)
  status!: MessageStatus;

  @Field(() => String, { nullable: true, description: 'E.164; null when unknown (a device SIM).' })
  from!: string | null;

  @Field(() => String, { nullable: true, description: 'E.164.' })
  to!: string | null;

  @Field(() => String, { nullable: true, description: 'Null once redacted by retention.' })
  body!: string | null;

  @Field(() => MessageEncodingEnum)
  encoding!: SmsEncoding;

  @Field(() => Int, { description: 'SMS parts: the billing unit.' })
  segments!: number;

  @Field(() => [String])
  mediaUrls!: string[];

  @Field(() => MessageRouteEnum, { nullable: true })
  route!: MessageRoute | null;

  @Field(() => ID, { nullable: true, description: 'The device that holds, sent or received it.' })
  deviceId!: string | null;

  @Field(() => Int, { nullable: true })
  simNumber!: number | null;

  @Field(() => ID, { nullable: true })
  conversationId!: string | null;

  @Field(() => ID, { nullable: true })
  campaignId!: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Outbound: its priority in the device and carrier queues (higher first; the one asked for, else its kind’s default). Null for inbound messages.',
  })
  priority!: number | null;

  @Field(() => String, { nullable: true, description: 'Carrier / GHL id of the message.' })
  externalId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The GoHighLevel message this message delivers (sent for GHL by ghl-sync).',
  })
  ghlMessageId!: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey!: string | null;

  @Field(() => MetadataScalar)
  metadata!: Record<string, string>;

  @Field(() => MessageErrorModel, { nullable: true })
  error!: MessageErrorModel | null;

  @Field(() => Int, { description: 'Dispatch attempts so far (0 = not handed to a device yet).' })
  attempt!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it is to be sent.' })
  scheduledAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Not sent by then: EXPIRED.' })
  validUntil!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  queuedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  dispatchedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  sentAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  failedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  rejectedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  expiredAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  canceledAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  receivedAt!: Date | null;

  /** Not a field: the tenant, for nested resolvers. */
  orgId!: string;
}

export function toMessageModel(record: MessageRecord): MessageModel {
  return {
    id: record.id,
    orgId: record.orgId,
    direction: record.direction,
    status: record.status,
    from: record.fromNumber,
    to: record.toNumber,
    body: record.body,
    encoding: record.encoding,
    segments: record.segments,
    mediaUrls: record.mediaUrls,
    route: record.route,
    deviceId: record.deviceId,
    simNumber: record.simNumber,
    conversationId: record.conversationId,
    campaignId: record.campaignId,
    priority:
      record.direction === 'OUTBOUND'
        ? messagePriority(record.purpose ?? 'TRANSACTIONAL', record.priority)
        : null,
    externalId: record.externalId,
    ghlMessageId: record.ghlMessageId,
    idempotencyKey: record.idempotencyKey,
    metadata: record.metadata,
    error: record.error,
    attempt: record.attempt,
    scheduledAt: record.scheduledAt,
    validUntil: record.validUntil,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    queuedAt: record.queuedAt,
    dispatchedAt: record.dispatchedAt,
    sentAt: record.sentAt,
    deliveredAt: record.deliveredAt,
    failedAt: record.failedAt,
    rejectedAt: record.rejectedAt,
    expiredAt: record.expiredAt,
    canceledAt: record.canceledAt,
    receivedAt: record.receivedAt,
  };
}

@ObjectType()
export class MessageEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => MessageModel)
  node!: MessageModel;
}

@ObjectType({ description: 'Messages, newest first (keyset pagination: cursors stay valid).' })
export class MessageConnection {
  @Field(() => [MessageEdge])
  edges!: MessageEdge[];

  @Field(() => [MessageModel])
  nodes!: MessageModel[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function toMessageConnection(page: Page<MessageRecord>): MessageConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toMessageModel(e.node) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

@ObjectType('SendMessageError', { description: 'Why one input of sendMessages was not sent.' })
export class SendMessageErrorModel {
  @Field(() => String, { description: 'The code sendMessage would give, e.g. INVALID_NUMBER.' })
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => Int, { description: 'The position of the input in `inputs` (0-based).' })
  index!: number;
}

@ObjectType('SendMessageResult', {
  description: 'One input of sendMessages: a message or an error.',
})
export class SendMessageResultModel {
  @Field(() => Int, { description: 'The position of the input in `inputs` (0-based).' })
  index!: number;

  @Field(() => MessageModel, { nullable: true, description: 'Null when `error` is set.' })
  message!: MessageModel | null;

  @Field(() => SendMessageErrorModel, { nullable: true })
  error!: SendMessageErrorModel | null;
}

@ObjectType('SendMessagesPayload')
export class SendMessagesPayload {
  @Field(() => [SendMessageResultModel], { description: 'One per input, in the same order.' })
  results!: SendMessageResultModel[];

  @Field(() => Int, { description: 'Inputs that gave a message (QUEUED, SCHEDULED or REJECTED).' })
  sent!: number;

  @Field(() => Int, { description: 'Inputs that gave an error.' })
  failed!: number;
}

export function toSendMessagesPayload(outcomes: SendOutcome[]): SendMessagesPayload {
  const results = outcomes.map((outcome, index): SendMessageResultModel =>
    outcome.ok
      ? { index, message: toMessageModel(outcome.message), error: null }
      : {
          index,
          message: null,
          error: { code: outcome.error.code, message: outcome.error.message, index },
        },
  );
  const failed = results.filter((r) => r.error).length;
  return { results, sent: results.length - failed, failed };
}

@InputType()
export class SendMessageInput {
  @Field(() => String, { description: 'E.164, or national format in the organization country.' })
  to!: string;

  @Field(() => String, { nullable: true, description: 'Required (max segments configurable).' })
  body?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'MMS: up to 10 public https media URLs (then the body may be empty). Needs a carrier route: the device pool sends SMS only (MMS_NOT_SUPPORTED).',
  })
  mediaUrls?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Send from this number: one of the organization's device SIMs, or with routeId a number of that route (a SIM of the device pool, a number of the carrier account; else UNKNOWN_SENDER).",
  })
  from?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "The sender: one of the organization's enabled routes (else UNKNOWN_ROUTE). The message takes that route only — when it cannot (full, down, wrong country, MMS) it gets that route's error, no fall-over — unless routeFallback.",
  })
  routeId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "With routeId: true tries that route first, then the organization's other routes in their order (default false: that route only).",
  })
  routeFallback?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Preferred device of the pool.' })
  deviceId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Preferred SIM slot (1-based).' })
  simNumber?: number | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Not sent by then: EXPIRED. Default: 24 h after the send time.',
  })
  validUntil?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Send later (SCHEDULED).' })
  scheduledAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Retrying with the same key and parameters within 24 h returns the first message; other parameters: IDEMPOTENCY_KEY_REUSED.',
  })
  idempotencyKey?: string | null;

  @Field(() => MetadataScalar, { nullable: true })
  metadata?: Record<string, string> | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Queue priority in the device and carrier queues, higher first: 0 to 89 (default 50; campaign messages 10, compliance replies 90). Out of range: INVALID_PRIORITY.',
  })
  priority?: number | null;
}

@InputType()
export class MessagesFilter {
  @Field(() => [MessageStatusEnum], { nullable: true })
  status?: MessageStatus[] | null;

  @Field(() => MessageDirectionEnum, { nullable: true })
  direction?: MessageDirection | null;

  @Field(() => String, { nullable: true })
  to?: string | null;

  @Field(() => String, { nullable: true })
  from?: string | null;

  @Field(() => ID, { nullable: true })
  deviceId?: string | null;

  @Field(() => ID, { nullable: true })
  campaignId?: string | null;

  @Field(() => ID, { nullable: true })
  conversationId?: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Inclusive.' })
  createdAfter?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Exclusive.' })
  createdBefore?: Date | null;
}

/** The messages connection's filter as the service takes it (numbers still as given). */
export function toMessageFilter(filter?: MessagesFilter | null): MessageFilterInput {
  return {
    status: filter?.status ?? undefined,
    direction: filter?.direction ?? undefined,
    to: filter?.to,
    from: filter?.from,
    deviceId: filter?.deviceId ?? undefined,
    campaignId: filter?.campaignId ?? undefined,
    conversationId: filter?.conversationId ?? undefined,
    createdAfter: filter?.createdAfter ?? undefined,
    createdBefore: filter?.createdBefore ?? undefined,
  };
}
