import {
  Directive,
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { PageInfo } from '@switchboard/service-kit';
import type { Page } from '../common/page';
import { CAMPAIGN_STATUSES, type CampaignStatus } from '../domain/campaign';
import { liveProgressOf } from './campaign-progress';
import type { CampaignRecord } from './campaign.record';
import type { CampaignPreview } from './campaigns.service';
import { messagePriority } from '../domain/message-priority';
import type { RouteKind } from '../domain/router';
import { RouteKindEnum } from '../routing/route.model';

export const CampaignStatusEnum = Object.fromEntries(
  CAMPAIGN_STATUSES.map((s) => [s, s]),
) as Record<CampaignStatus, CampaignStatus>;
registerEnumType(CampaignStatusEnum, {
  name: 'CampaignStatus',
  description: 'DRAFT → SCHEDULED (start time ahead) / RUNNING ⇄ PAUSED → COMPLETED, or CANCELED.',
});

export const CampaignRateLimitEnum = {
  REQUESTED: 'REQUESTED',
  PHONES: 'PHONES',
  CARRIER: 'CARRIER',
} as const;
registerEnumType(CampaignRateLimitEnum, {
  name: 'CampaignRateLimit',
  description:
    'What sets a campaign’s planned rate: its own ratePerMinute, the online phones (30 segments a minute each), or the carrier numbers’ throughput.',
});

@ObjectType('CampaignProgress', { description: 'Counters, read cheaply at any time.' })
export class CampaignProgressModel {
  @Field(() => Float, { description: 'Members of the list when the campaign started.' })
  recipientsTotal!: number;

  @Field(() => Float, { description: 'Messages accepted by the send path (queued or held).' })
  messagesCreated!: number;

  @Field(() => Float, {
    description: 'Messages refused by a pre-send policy (opted out, consent…).',
  })
  messagesRejected!: number;

  @Field(() => Float, {
    description: 'Recipients the send path refused outright (invalid number…).',
  })
  sendErrors!: number;

  @Field(() => Float, { description: 'Messages the phone or carrier sent (SENT events).' })
  messagesSent!: number;

  @Field(() => Float, { description: 'Messages with a delivery report (DELIVERED events).' })
  messagesDelivered!: number;

  @Field(() => Float)
  messagesFailed!: number;

  @Field(() => Float)
  messagesExpired!: number;

  @Field(() => Float, {
    description:
      'Seconds until every remaining recipient is handed to the send path at the planned rate (0 when not running).',
  })
  etaSeconds!: number;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'That moment; null when the campaign is not running.',
  })
  eta!: Date | null;

  @Field(() => Int, {
    description:
      'Messages created a minute over the last minute (a ring of 5 s counters on the campaign, not a scan).',
  })
  rateNow!: number;

  @Field(() => Int, {
    description:
      'The rate the campaign is paced at: ratePerMinute capped by its route (online phones × 30 segments a minute, or the carrier numbers’ throughput).',
  })
  plannedRatePerMinute!: number;

  @Field(() => CampaignRateLimitEnum, { description: 'What set the planned rate.' })
  plannedRateLimitedBy!: keyof typeof CampaignRateLimitEnum;
}

@ObjectType('CampaignSender', {
  description:
    'What a campaign sends from: one of the organization’s routes, optionally one of its numbers.',
})
export class CampaignSenderModel {
  @Field(() => ID, { description: 'The route (Route.id): the device pool or a carrier account’s.' })
  routeId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'A number of that route: a device SIM’s, or a carrier number of the account.',
  })
  from!: string | null;

  @Field(() => Boolean, {
    description:
      'true: that route first, then the organization’s others in their order. false: that route only — when it cannot send (full, down) its messages get its error.',
  })
  fallback!: boolean;
}

@InputType()
export class CampaignSenderInput {
  @Field(() => ID, {
    description: 'One of the organization’s enabled routes (else UNKNOWN_ROUTE).',
  })
  routeId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'A number of that route: a SIM of the device pool (only that SIM sends), or a number of the carrier account (else UNKNOWN_SENDER).',
  })
  from?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false: that route only.' })
  fallback?: boolean | null;
}

@ObjectType('Campaign', { description: 'A bulk send to a list or segment, paced.' })
export class CampaignModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ID, { description: 'The static list or segment it goes to.' })
  listId!: string;

  @Field(() => String, {
    description: '`{{attribute}}` placeholders, `{{first_name|there}}` fallbacks.',
  })
  template!: string;

  @Field(() => Int, { description: 'Messages per minute.' })
  ratePerMinute!: number;

  @Field(() => Int, {
    description: 'Its messages’ priority in the device and carrier queues (default 10).',
  })
  priority!: number;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startAt!: Date | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'No message is created after it.',
  })
  endAt!: Date | null;

  @Field(() => CampaignStatusEnum)
  status!: CampaignStatus;

  @Field(() => String, {
    nullable: true,
    description:
      'PAUSED by the runner itself because its sender can no longer send: UNKNOWN_ROUTE (the route was deleted or disabled) or UNKNOWN_SENDER (its number left the route). Fix the route, then resume (resuming before that fails with the same code). Null when not paused, or paused by a user.',
  })
  pausedReason!: string | null;

  @Field(() => CampaignSenderModel, {
    nullable: true,
    description: 'What it sends from; null: the organization’s routes decide (in their order).',
  })
  sender!: CampaignSenderModel | null;

  @Field(() => CampaignProgressModel)
  progress!: CampaignProgressModel;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

/** The campaign as GraphQL shows it; `now` for its live progress (rate now, ETA). */
export function toCampaignModel(record: CampaignRecord, now: Date): CampaignModel {
  const live = liveProgressOf(record, now);
  return {
    id: record.id,
    name: record.name,
    listId: record.listId,
    template: record.template,
    ratePerMinute: record.ratePerMinute,
    priority: messagePriority('CAMPAIGN', record.priority),
    startAt: record.startAt,
    endAt: record.endAt,
    status: record.status,
    pausedReason: record.pausedReason,
    sender: record.senderRouteId
      ? {
          routeId: record.senderRouteId,
          from: record.senderFrom,
          fallback: record.senderFallback,
        }
      : null,
    progress: {
      recipientsTotal: record.recipientsTotal,
      messagesCreated: record.messagesCreated,
      messagesRejected: record.messagesRejected,
      sendErrors: record.sendErrors,
      messagesSent: record.messagesSent,
      messagesDelivered: record.messagesDelivered,
      messagesFailed: record.messagesFailed,
      messagesExpired: record.messagesExpired,
      etaSeconds: live.etaSeconds,
      eta: live.eta === null ? null : new Date(live.eta),
      rateNow: live.rateNow,
      plannedRatePerMinute: live.plannedRatePerMinute,
      plannedRateLimitedBy: record.plannedLimitedBy ?? 'REQUESTED',
    },
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
  };
}

@ObjectType()
export class CampaignEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => CampaignModel)
  node!: CampaignModel;
}

@ObjectType({ description: 'Campaigns, newest first.' })
export class CampaignConnection {
  @Field(() => [CampaignEdge])
  edges!: CampaignEdge[];

  @Field(() => [CampaignModel])
  nodes!: CampaignModel[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

export function toCampaignConnection(page: Page<CampaignRecord>, now: Date): CampaignConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toCampaignModel(e.node, now) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

@ObjectType('CampaignSample', { description: 'The template rendered for one recipient.' })
export class CampaignSampleModel {
  @Field(() => ID)
  contactId!: string;

  @Field(() => String)
  text!: string;

  @Field(() => Int)
  segments!: number;

  @Field(() => String, { description: 'GSM7 or UCS2.' })
  encoding!: string;

  @Field(() => [String], { description: 'Placeholders with neither a value nor a fallback.' })
  missing!: string[];
}

@ObjectType('CampaignPreview', {
  description:
    'What a campaign would send now. An entity (key campaignId) so billing adds estimatedCost from the segment and MMS totals.',
})
@Directive('@key(fields: "campaignId")')
export class CampaignPreviewModel {
  @Field(() => ID)
  campaignId!: string;

  @Field(() => Float, { description: 'Members of the list now.' })
  recipients!: number;

  @Field(() => Float, {
    description:
      'SMS segments the campaign would send to recipientsAfterSuppression: each rendered for up to 1,000 recipients, the mean times the recipients (exact for lists that small).',
  })
  estimatedSegments!: number;

  @Field(() => Float, { description: 'MMS messages it would send (campaigns send text: 0).' })
  estimatedMms!: number;

  @Field(() => String, {
    nullable: true,
    description: "The recipients' most common country (ISO 3166 alpha-2): what it is priced at.",
  })
  destinationCountry!: string | null;

  @Field(() => Float, {
    description:
      'Members the pre-send policies would refuse now: opted out or DND, or without consent when the organization requires it for campaigns.',
  })
  suppressed!: number;

  @Field(() => Float)
  recipientsAfterSuppression!: number;

  @Field(() => Float, {
    description:
      'Sending recipientsAfterSuppression at plannedRatePerMinute (the campaign’s rate capped by its route’s capacity now). The cost: estimatedCost (from billing).',
  })
  estimatedSeconds!: number;

  @Field(() => ID, {
    nullable: true,
    description:
      'The route its messages take first now: its sender’s, else the organization’s first that can send (null: the implicit device pool of an organization without routes, or its sender’s route is gone).',
  })
  routeId!: string | null;

  @Field(() => RouteKindEnum, { nullable: true })
  routeKind!: RouteKind | null;

  @Field(() => Int, {
    description:
      'The rate it would be paced at now: ratePerMinute capped by that route (online phones × 30 segments a minute, one SIM for a sender’s `from`; carrier numbers × their throughput, one number for a `from`).',
  })
  plannedRatePerMinute!: number;

  @Field(() => CampaignRateLimitEnum)
  plannedRateLimitedBy!: keyof typeof CampaignRateLimitEnum;

  @Field(() => [CampaignSampleModel])
  samples!: CampaignSampleModel[];
}

export function toCampaignPreviewModel(preview: CampaignPreview): CampaignPreviewModel {
  return { ...preview, samples: preview.samples.map((s) => ({ ...s })) };
}

@InputType()
export class CreateCampaignInput {
  @Field(() => String)
  name!: string;

  @Field(() => ID)
  listId!: string;

  @Field(() => String)
  template!: string;

  @Field(() => Int, { description: 'Messages per minute (1 to CAMPAIGN_MAX_RATE_PER_MINUTE).' })
  ratePerMinute!: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Its messages’ queue priority, 0 to 49 (default 10): below a transactional send’s default (50), so a campaign never delays one. Out of range: INVALID_PRIORITY.',
  })
  priority?: number | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Start later (else at start).' })
  startAt?: Date | null;

  @Field(() => CampaignSenderInput, {
    nullable: true,
    description:
      'What it sends from (see CampaignSender); absent: the organization’s routes decide.',
  })
  sender?: CampaignSenderInput | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  endAt?: Date | null;
}
