import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import type { MessageStatus } from '../domain/message-status';
import { isMmsCapable, ROUTE_KINDS, type RouteKind } from '../domain/router';
import type { RouteAttemptOutcome, RouteAttemptRecord, RouteRecord } from './route.record';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const RouteKindEnum = enumOf(ROUTE_KINDS);
export const RouteAttemptOutcomeEnum = enumOf<RouteAttemptOutcome>([
  'PENDING',
  'WITHDRAWING',
  'WITHDRAWN',
  'FAILED',
  'SUCCEEDED',
]);
registerEnumType(RouteKindEnum, {
  name: 'RouteKind',
  description: "DEVICE_POOL: the organization's phones. TWILIO / TELNYX: a carrier account.",
});
registerEnumType(RouteAttemptOutcomeEnum, {
  name: 'RouteAttemptOutcome',
  description:
    'PENDING: the route has the message. WITHDRAWING: taken back from the device pool (no phone took it in time), waiting for the pool to confirm. WITHDRAWN: taken back, handed to the next route. FAILED: the route failed it (see error). SUCCEEDED: the route sent it.',
});

@ObjectType('Route', {
  description: 'A way out for messages: the device pool or a carrier account.',
})
export class RouteModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => RouteKindEnum)
  kind!: RouteKind;

  @Field(() => ID, { nullable: true, description: 'TWILIO / TELNYX: the carrier account.' })
  carrierAccountId!: string | null;

  @Field(() => Int, { description: 'Lower goes first.' })
  priority!: number;

  @Field(() => [String], {
    description: 'Destination countries (ISO 3166-1 alpha-2) this route may send to.',
  })
  allowedCountries!: string[];

  @Field(() => Int, { nullable: true, description: 'Cost per segment in minor units.' })
  costPerSegmentMinor!: number | null;

  @Field(() => String, { nullable: true, description: 'ISO 4217 currency of the cost.' })
  costCurrency!: string | null;

  @Field(() => Int, { nullable: true, description: 'Segments per UTC day; none: no cap.' })
  dailyCapSegments!: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'DEVICE_POOL: seconds a message may wait for a phone before it fails over (unset: the service default).',
  })
  deviceFailoverSeconds!: number | null;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => Boolean, { description: 'Sends MMS (carrier routes; never the device pool).' })
  mmsCapable!: boolean;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime)
  updatedAt!: Date;
}

@InputType()
export class CreateRouteInput {
  @Field(() => String)
  name!: string;

  @Field(() => RouteKindEnum)
  kind!: RouteKind;

  @Field(() => ID, { nullable: true, description: 'Required for TWILIO / TELNYX.' })
  carrierAccountId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Default: after the last route.' })
  priority?: number | null;

  @Field(() => [String], {
    nullable: true,
    description: "Default: the organization's own country only (SMS-pumping protection).",
  })
  allowedCountries?: string[] | null;

  @Field(() => Int, { nullable: true })
  costPerSegmentMinor?: number | null;

  @Field(() => String, { nullable: true })
  costCurrency?: string | null;

  @Field(() => Int, { nullable: true })
  dailyCapSegments?: number | null;

  @Field(() => Int, { nullable: true })
  deviceFailoverSeconds?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Default: true.' })
  enabled?: boolean | null;
}

@InputType()
export class UpdateRouteInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => Int, { nullable: true })
  priority?: number | null;

  @Field(() => [String], { nullable: true })
  allowedCountries?: string[] | null;

  @Field(() => Int, { nullable: true })
  costPerSegmentMinor?: number | null;

  @Field(() => String, { nullable: true })
  costCurrency?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true removes the cost.' })
  clearCost?: boolean | null;

  @Field(() => Int, { nullable: true })
  dailyCapSegments?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'true removes the daily cap.' })
  clearDailyCap?: boolean | null;

  @Field(() => Int, { nullable: true })
  deviceFailoverSeconds?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'true: back to the service default.' })
  clearDeviceFailover?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;
}

@ObjectType('MessageRouteAttempt', {
  description: 'One route a message took, in order; the last one is current.',
})
export class MessageRouteAttemptModel {
  @Field(() => Int, { description: "The message's dispatch attempt this route started at." })
  attempt!: number;

  @Field(() => ID, {
    nullable: true,
    description: 'The route (none: the implicit device pool of an organization without routes).',
  })
  routeId!: string | null;

  @Field(() => RouteKindEnum)
  routeKind!: RouteKind;

  @Field(() => GraphQLISODateTime)
  startedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  endedAt!: Date | null;

  @Field(() => RouteAttemptOutcomeEnum)
  outcome!: RouteAttemptOutcome;

  @Field(() => String, { nullable: true, description: 'Normalized code of the failure.' })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: "The route's own code, unchanged." })
  errorRawCode!: string | null;

  @Field(() => String, { nullable: true, description: "The route's own text, unchanged." })
  errorRawMessage!: string | null;
}

export function toRouteModel(r: RouteRecord): RouteModel {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    carrierAccountId: r.carrierAccountId,
    priority: r.priority,
    allowedCountries: r.allowedCountries,
    costPerSegmentMinor: r.costPerSegmentMinor,
    costCurrency: r.costCurrency,
    dailyCapSegments: r.dailyCapSegments,
    deviceFailoverSeconds: r.deviceFailoverSeconds,
    enabled: r.enabled,
    mmsCapable: isMmsCapable(r.kind),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** What `implicitPoolAttempts` needs of a message. */
export interface ImpliedAttemptFacts {
  id: string;
  route: string | null;
  attempt: number;
  createdAt: Date;
  queuedAt: Date | null;
  scheduledAt: Date | null;
}

/**
 * The attempts recorded for a message, or — none recorded for a message the implicit device pool
 * of an organization without routes took (RoutingService.start records nothing for it) — that one
 * attempt: the pool's, since it was queued (or its scheduled time), PENDING until the message's
 * status says otherwise.
 */
export function withImplicitPoolAttempt(
  attempts: RouteAttemptRecord[],
  message: ImpliedAttemptFacts,
): RouteAttemptRecord[] {
  if (attempts.length > 0 || message.route !== 'DEVICE' || message.attempt < 1) return attempts;
  return [
    {
      messageId: message.id,
      attempt: 1,
      routeId: null,
      routeKind: 'DEVICE_POOL',
      startedAt: message.queuedAt ?? message.scheduledAt ?? message.createdAt,
      endedAt: null,
      outcome: 'PENDING',
      errorCode: null,
      errorRawCode: null,
      errorRawMessage: null,
    },
  ];
}

/**
 * The attempts of a message as GraphQL shows them. The current attempt's outcome follows the
 * message while its route has it (a device route reports through the message's status).
 */
export function toMessageRouteAttemptModels(
  attempts: RouteAttemptRecord[],
  status: MessageStatus,
): MessageRouteAttemptModel[] {
  return attempts.map(({ messageId: _message, ...a }, i) => {
    const current = i === attempts.length - 1 && a.outcome === 'PENDING';
    const outcome: RouteAttemptOutcome = !current
      ? a.outcome
      : status === 'SENT' || status === 'DELIVERED'
        ? 'SUCCEEDED'
        : status === 'FAILED'
          ? 'FAILED'
          : a.outcome;
    return { ...a, outcome };
  });
}
