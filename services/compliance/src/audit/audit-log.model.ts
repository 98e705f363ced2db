import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { PageInfo } from '@switchboard/service-kit';
import type { BrokenLinkReason } from '../domain/audit-chain';
import type { AuditEntryRecord } from './audit-entry.record';
import type { AuditChainVerification, AuditLogPage } from './audit-log.service';

export const BrokenLinkReasonEnum: Record<BrokenLinkReason, BrokenLinkReason> = {
  SEQUENCE_GAP: 'SEQUENCE_GAP',
  PREV_HASH_MISMATCH: 'PREV_HASH_MISMATCH',
  HASH_MISMATCH: 'HASH_MISMATCH',
  HEAD_MISMATCH: 'HEAD_MISMATCH',
};
registerEnumType(BrokenLinkReasonEnum, {
  name: 'AuditChainBreak',
  description:
    'SEQUENCE_GAP: entries before this one are missing. PREV_HASH_MISMATCH: it does not link to the entry before (that one was changed or replaced). HASH_MISMATCH: this entry was changed. HEAD_MISMATCH: the last entries are missing.',
});

@ObjectType({ description: 'A key/value detail of an audit entry.' })
export class AuditMetadataEntry {
  @Field(() => String) key!: string;
  @Field(() => String) value!: string;
}

@ObjectType('AuditLogEntry', {
  description: 'Who did what to which resource: one entry of the hash-chained audit log.',
})
export class AuditLogEntryModel {
  @Field(() => ID, { description: 'The audited event id.' }) id!: string;
  @Field(() => Int, { description: "Position in the organization's chain (1, 2, 3…)." })
  sequence!: number;
  @Field(() => GraphQLISODateTime) occurredAt!: Date;
  @Field(() => GraphQLISODateTime, { description: 'When the audit log recorded it.' })
  receivedAt!: Date;
  @Field(() => String, { description: 'USER, API_TOKEN, DEVICE, SERVICE or SYSTEM.' })
  actorType!: string;
  @Field(() => String) actorId!: string;
  @Field(() => String, { nullable: true }) actorOrgId!: string | null;
  @Field(() => String, { description: '`<resource>.<verb>`, e.g. `device.remove`.' })
  action!: string;
  @Field(() => String) resourceType!: string;
  @Field(() => String, { nullable: true }) resourceId!: string | null;
  @Field(() => Boolean, { description: "A platform admin accessed the organization's data." })
  privileged!: boolean;
  @Field(() => String, { nullable: true, description: 'The reason given for the access.' })
  reason!: string | null;
  @Field(() => String, { description: 'SUCCESS, DENIED or FAILED.' }) outcome!: string;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field(() => String, { nullable: true }) correlationId!: string | null;
  @Field(() => String) sourceService!: string;
  @Field(() => [AuditMetadataEntry]) metadata!: AuditMetadataEntry[];
  @Field(() => String, { description: 'SHA-256 (hex) of the previous entry.' }) prevHash!: string;
  @Field(() => String, { description: 'SHA-256 (hex) of prevHash and this entry.' }) hash!: string;
}

@ObjectType()
export class AuditLogEdge {
  @Field(() => String) cursor!: string;
  @Field(() => AuditLogEntryModel) node!: AuditLogEntryModel;
}

@ObjectType()
export class AuditLogConnection {
  @Field(() => [AuditLogEdge]) edges!: AuditLogEdge[];
  @Field(() => [AuditLogEntryModel]) nodes!: AuditLogEntryModel[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType({ description: 'Every field given must match; times bound occurredAt.' })
export class AuditLogFilterInput {
  @Field(() => String, { nullable: true }) actorId?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, { nullable: true }) resourceType?: string | null;
  @Field(() => String, { nullable: true }) resourceId?: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Inclusive.' })
  from?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Exclusive.' })
  to?: Date | null;
}

@ObjectType({ description: 'An audit log export: JSON lines behind a signed, expiring link.' })
export class AuditLogExportModel {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'GET it (no session needed) until expiresAt.' }) url!: string;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
}

@ObjectType({ description: 'The first entry that no longer fits the chain.' })
export class AuditChainBrokenLink {
  @Field(() => Int) sequence!: number;
  @Field(() => ID, { nullable: true }) id!: string | null;
  @Field(() => BrokenLinkReasonEnum) reason!: BrokenLinkReason;
  @Field(() => String) expected!: string;
  @Field(() => String) found!: string;
}

@ObjectType({ description: "The result of checking an organization's audit chain." })
export class AuditChainVerificationModel {
  @Field(() => Boolean) ok!: boolean;
  @Field(() => Int) checkedEntries!: number;
  @Field(() => AuditChainBrokenLink, { nullable: true })
  firstBrokenAt!: AuditChainBrokenLink | null;
  @Field(() => Int, {
    description: 'Where the check started: 0, or the last entry deleted by retention.',
  })
  anchorSequence!: number;
  @Field(() => Int) headSequence!: number;
  @Field(() => Int, { description: 'Entries deleted by retention so far.' }) prunedEntries!: number;
}

const orNull = (value: string) => (value === '' ? null : value);

export function toAuditLogEntryModel(entry: AuditEntryRecord): AuditLogEntryModel {
  return {
    id: entry.id,
    sequence: entry.sequence,
    occurredAt: entry.occurredAt,
    receivedAt: entry.receivedAt,
    actorType: entry.actorType,
    actorId: entry.actorId,
    actorOrgId: orNull(entry.actorOrgId),
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: orNull(entry.resourceId),
    privileged: entry.privileged,
    reason: orNull(entry.reason),
    outcome: entry.outcome,
    requestId: orNull(entry.requestId),
    correlationId: orNull(entry.correlationId),
    sourceService: entry.sourceService,
    metadata: Object.keys(entry.metadata)
      .sort()
      .map((key) => ({ key, value: entry.metadata[key] })),
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

export function toAuditLogConnection(page: AuditLogPage): AuditLogConnection {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: toAuditLogEntryModel(e.node) }));
  return { edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}

export function toAuditChainVerificationModel(
  result: AuditChainVerification,
): AuditChainVerificationModel {
  return { ...result };
}
