import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { PageInfo } from '@switchboard/service-kit';
import type { RetentionReportRecord } from './retention-report.record';
import type { RetentionReportPage } from './retention-reports.service';

@ObjectType({ description: 'Retention periods (the defaults where the organization set none).' })
export class RetentionPeriodsModel {
  @Field(() => Int) bodyRetentionDays!: number;
  @Field(() => Int) metadataRetentionMonths!: number;
  @Field(() => Int) auditRetentionDays!: number;
  @Field(() => Int) requestLogRetentionDays!: number;
}

@ObjectType({ description: 'One count of a retention run, e.g. bodies_redacted = 120.' })
export class RetentionCount {
  @Field(() => String) name!: string;
  @Field(() => Int) value!: number;
}

@ObjectType({ description: 'What one retention job of one service did in one run.' })
export class RetentionRun {
  @Field(() => ID) id!: string;
  @Field(() => ID, { description: 'The run (one run of a service reports several jobs).' })
  runId!: string;
  @Field(() => String, { description: 'messaging, devices, accounts, compliance.' })
  service!: string;
  @Field(() => String, { description: 'e.g. message-bodies, message-metadata, event-tables.' })
  job!: string;
  @Field(() => [RetentionCount]) counts!: RetentionCount[];
  @Field(() => GraphQLISODateTime) startedAt!: Date;
  @Field(() => GraphQLISODateTime) finishedAt!: Date;
  @Field(() => RetentionPeriodsModel, {
    nullable: true,
    description: 'The periods in force for the run; null for platform-level jobs.',
  })
  policy!: RetentionPeriodsModel | null;
  @Field(() => Int, { description: 'Version of the policy applied; 0: the defaults.' })
  policyVersion!: number;
}

@ObjectType()
export class RetentionRunEdge {
  @Field(() => String) cursor!: string;
  @Field(() => RetentionRun) node!: RetentionRun;
}

@ObjectType({ description: 'Retention runs, newest first.' })
export class RetentionRunConnection {
  @Field(() => [RetentionRunEdge]) edges!: RetentionRunEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

export function toRetentionRun(record: RetentionReportRecord): RetentionRun {
  return {
    id: record.id,
    runId: record.runId,
    service: record.service,
    job: record.job,
    counts: Object.entries(record.counts)
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    policy: record.policy,
    policyVersion: record.policyVersion,
  };
}

export function toRetentionRunConnection(page: RetentionReportPage): RetentionRunConnection {
  return {
    edges: page.edges.map(({ cursor, node }) => ({ cursor, node: toRetentionRun(node) })),
    pageInfo: page.pageInfo,
  };
}
