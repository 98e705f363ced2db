import {
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
import { CAMPAIGN_STATUSES, estimatedSeconds, type CampaignStatus } from '../domain/campaign';
import type { CampaignRecord } from './campaign.record';
import type { CampaignPreview } from './campaigns.service';

export const CampaignStatusEnum = Object.fromEntries(
  CAMPAIGN_STATUSES.map((s) => [s, s]),
) as Record<CampaignStatus, CampaignStatus>;
registerEnumType(CampaignStatusEnum, {
  name: 'CampaignStatus',
  description: 'DRAFT → SCHEDULED (start time ahead) / RUNNING ⇄ PAUSED → COMPLETED, or CANCELED.',
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

  @Field(() => Float, { description: 'Seconds left at the campaign’s rate (0 when done).' })
  etaSeconds!: number;
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

  @Field(() => GraphQLISODateTime, { nullable: true })
  startAt!: Date | null;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'No message is created after it.',
  })
  endAt!: Date | null;

  @Field(() => CampaignStatusEnum)
  status!: CampaignStatus;

  @Field(() => CampaignProgressModel)
  progress!: CampaignProgressModel;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}

export function toCampaignModel(record: CampaignRecord): CampaignModel {
  const processed = record.messagesCreated + record.messagesRejected + record.sendErrors;
  const left = Math.max(0, record.recipientsTotal - processed);
  const running = record.status === 'RUNNING' || record.status === 'SCHEDULED';
  return {
    id: record.id,
    name: record.name,
    listId: record.listId,
    template: record.template,
    ratePerMinute: record.ratePerMinute,
    startAt: record.startAt,
    endAt: record.endAt,
    status: record.status,
    progress: {
      recipientsTotal: record.recipientsTotal,
      messagesCreated: record.messagesCreated,
      messagesRejected: record.messagesRejected,
      sendErrors: record.sendErrors,
      messagesSent: record.messagesSent,
      messagesDelivered: record.messagesDelivered,
      messagesFailed: record.messagesFailed,
      messagesExpired: record.messagesExpired,
      etaSeconds: running ? estimatedSeconds(left, record.ratePerMinute) : 0,
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

export function toCampaignConnection(page: Page<CampaignRecord>): CampaignConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toCampaignModel(e.node) }));
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

@ObjectType('CampaignPreview')
export class CampaignPreviewModel {
  @Field(() => Float, { description: 'Members of the list now.' })
  recipients!: number;

  @Field(() => Float, {
    description:
      'Members the pre-send policies would refuse now: opted out or DND, or without consent when the organization requires it for campaigns.',
  })
  suppressed!: number;

  @Field(() => Float)
  recipientsAfterSuppression!: number;

  @Field(() => Float, {
    description:
      'Sending recipientsAfterSuppression at the campaign’s rate. Cost: not estimated here (billing’s price book is not reachable from messaging).',
  })
  estimatedSeconds!: number;

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

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Start later (else at start).' })
  startAt?: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  endAt?: Date | null;
}
