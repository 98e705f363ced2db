import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import type { Page } from '../common/page';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../domain/webhook-event-types';
import { PageInfo } from '@switchboard/service-kit';
import type { WebhookResponse } from './webhook-http.client';
import type {
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEndpointRecord,
} from './webhook.record';

/** GraphQL names of the event types: `message.status_changed` ↔ `MESSAGE_STATUS_CHANGED`. */
const enumName = (type: WebhookEventType) => type.replace('.', '_').toUpperCase();
export const WebhookEventTypeEnum = Object.fromEntries(
  WEBHOOK_EVENT_TYPES.map((t) => [enumName(t), enumName(t)]),
) as Record<string, string>;
registerEnumType(WebhookEventTypeEnum, {
  name: 'WebhookEventType',
  description:
    'message.status_changed (every status of an outbound message), message.received, opt_out.changed, campaign.progress (a campaign’s counters: every few seconds while it runs and at every status change).',
});
export const eventTypeOfEnum = (value: string): string =>
  WEBHOOK_EVENT_TYPES.find((t) => enumName(t) === value) ?? value;

export const WebhookDeliveryStatusEnum = {
  PENDING: 'PENDING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
} as const;
registerEnumType(WebhookDeliveryStatusEnum, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING (being tried), SUCCEEDED (a 2xx answer), FAILED (given up, or the endpoint is disabled).',
});

@ObjectType('WebhookEndpoint', {
  description: 'A receiver of customer webhooks. Its secret is shown only once.',
})
export class WebhookEndpointModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => String)
  description!: string;

  @Field(() => [WebhookEventTypeEnum])
  eventTypes!: string[];

  @Field(() => Boolean, {
    description: 'False once disabled (by a user, or after 5 days of failures).',
  })
  enabled!: boolean;

  @Field(() => GraphQLISODateTime, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The first failure since the last success.',
  })
  failingSince!: Date | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Until then the previous secret signs too (rotation overlap).',
  })
  previousSecretExpiresAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

export function toWebhookEndpointModel(record: WebhookEndpointRecord): WebhookEndpointModel {
  return {
    id: record.id,
    url: record.url,
    description: record.description,
    eventTypes: record.eventTypes.map(enumName),
    enabled: record.enabled,
    disabledAt: record.disabledAt,
    disabledReason: record.disabledReason,
    failingSince: record.failingSince,
    previousSecretExpiresAt: record.previousSecret ? record.previousSecretExpiresAt : null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

@ObjectType({ description: 'An endpoint with its signing secret (shown only in this answer).' })
export class WebhookEndpointWithSecret {
  @Field(() => WebhookEndpointModel)
  endpoint!: WebhookEndpointModel;

  @Field(() => String, { description: 'whsec_… (Standard Webhooks); never shown again.' })
  secret!: string;
}

export function toWebhookEndpointWithSecret(result: {
  endpoint: WebhookEndpointRecord;
  secret: string;
}): WebhookEndpointWithSecret {
  return { endpoint: toWebhookEndpointModel(result.endpoint), secret: result.secret };
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => String, {
    description: 'https (http only outside production); no private addresses.',
  })
  url!: string;

  @Field(() => [WebhookEventTypeEnum])
  eventTypes!: string[];

  @Field(() => String, { nullable: true })
  description?: string | null;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [WebhookEventTypeEnum], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true re-enables a disabled endpoint.' })
  enabled?: boolean | null;
}

@ObjectType('WebhookDeliveryAttempt', {
  description: 'One request of a delivery (the delivery log).',
})
export class WebhookDeliveryAttemptModel {
  @Field(() => Int)
  attempt!: number;

  @Field(() => GraphQLISODateTime)
  attemptedAt!: Date;

  @Field(() => Int, { nullable: true })
  responseCode!: number | null;

  @Field(() => String, { nullable: true, description: 'The first KiB of the answer.' })
  responseBody!: string | null;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => String, { description: 'The request headers, as JSON (the signature redacted).' })
  requestHeaders!: string;
}

export function toWebhookDeliveryAttemptModel(
  record: WebhookAttemptRecord,
): WebhookDeliveryAttemptModel {
  return {
    attempt: record.attempt,
    attemptedAt: record.attemptedAt,
    responseCode: record.responseCode,
    responseBody: record.responseBody,
    latencyMs: record.latencyMs,
    error: record.error,
    requestHeaders: JSON.stringify(record.requestHeaders),
  };
}

@ObjectType('WebhookDelivery', { description: 'One event for one endpoint, with its retries.' })
export class WebhookDeliveryModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  endpointId!: string;

  @Field(() => String, {
    description: 'The webhook-id header: the same on every attempt and replay.',
  })
  webhookId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => String, { description: 'The JSON body sent.' })
  payload!: string;

  @Field(() => WebhookDeliveryStatusEnum)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => GraphQLISODateTime, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true })
  lastResponseCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

export function toWebhookDeliveryModel(record: WebhookDeliveryRecord): WebhookDeliveryModel {
  return {
    id: record.id,
    endpointId: record.endpointId,
    webhookId: record.eventId,
    eventType: record.eventType,
    payload: record.payload,
    status: record.status,
    attempts: record.attempts,
    nextAttemptAt: record.status === 'PENDING' ? record.nextAttemptAt : null,
    lastAttemptAt: record.lastAttemptAt,
    lastResponseCode: record.lastResponseCode,
    lastError: record.lastError,
    deliveredAt: record.deliveredAt,
    createdAt: record.createdAt,
  };
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => WebhookDeliveryModel)
  node!: WebhookDeliveryModel;
}

@ObjectType({ description: "An endpoint's deliveries, newest first." })
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => [WebhookDeliveryModel])
  nodes!: WebhookDeliveryModel[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function toWebhookDeliveryConnection(
  page: Page<WebhookDeliveryRecord>,
): WebhookDeliveryConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toWebhookDeliveryModel(e.node) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

@InputType()
export class WebhookDeliveriesFilter {
  @Field(() => WebhookDeliveryStatusEnum, { nullable: true })
  status?: WebhookDeliveryStatus | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Created at or after (incl.).' })
  createdAfter?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Created before (excl.).' })
  createdBefore?: Date | null;
}

@ObjectType({ description: 'The answer to a signed test ping.' })
export class WebhookTestResult {
  @Field(() => Boolean, { description: 'A 2xx answer.' })
  success!: boolean;

  @Field(() => Int, { nullable: true })
  responseCode!: number | null;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;
}

export function toWebhookTestResult(response: WebhookResponse): WebhookTestResult {
  return {
    success:
      response.responseCode !== null && response.responseCode >= 200 && response.responseCode < 300,
    responseCode: response.responseCode,
    latencyMs: response.latencyMs,
    error: response.error,
  };
}
