import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { commonV1, complianceV1 } from '@switchboard/contracts';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { Clock, pageWindow, toPage, type Page } from '@switchboard/service-kit';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import {
  appendToChain,
  checkChainEnd,
  genesisHash,
  verifyChainSegment,
  type BrokenLink,
  type ChainAnchor,
} from '../domain/audit-chain';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import type { AuditEntryRecord, AuditLogFilter } from './audit-entry.record';
import { AuditLogRepository } from './audit-log.repository';

export const DEFAULT_AUDIT_PAGE = 50;
export const MAX_AUDIT_PAGE = 200;
/** Entries read per statement when verifying or exporting: memory stays constant. */
export const AUDIT_BATCH = 500;
const MAX_FILTER_LENGTH = 200;

export type AuditLogPage = Page<AuditEntryRecord>;

export interface AuditChainVerification {
  ok: boolean;
  checkedEntries: number;
  firstBrokenAt: BrokenLink | null;
  /** Where verification started: 0 (genesis) or the checkpoint of the last pruned entry. */
  anchorSequence: number;
  headSequence: number;
  prunedEntries: number;
}

/** The filter as given by a caller (GraphQL input). */
export interface AuditLogFilterInput {
  actorId?: string | null;
  action?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The audit log: appends consumed audit events to their organization's hash chain (one at a
 * time per chain, each event once), lists and exports entries, verifies chains, and prunes the
 * oldest entries for retention while keeping the chain verifiable.
 */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: AuditLogRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Appends `event` to the chain `chainOrgId` in the consumer's transaction (its tenant is that
   * chain). The chain head is locked first, so concurrent appends to one chain queue up rather
   * than fork; an event already in the chain (a replay) appends nothing.
   */
  async append(
    tx: EntityManager,
    chainOrgId: string,
    event: complianceV1.AuditEvent,
  ): Promise<'appended' | 'duplicate'> {
    if (!isUuid(event.id) || !event.action || !event.occurredAt) {
      throw new CommonException(
        CommonErrorCode.INVALID_EVENT,
        'An audit event needs a uuid id, an action and a time',
      );
    }
    // PostgreSQL text cannot hold NUL: refused here (dead-lettered at once), not retried.
    if (hasNul(event)) {
      throw new CommonException(
        CommonErrorCode.INVALID_EVENT,
        'An audit event holds a NUL character',
      );
    }
    const id = event.id.toLowerCase();
    const now = this.clock.now();
    let head = await this.log.lockHead(tx, chainOrgId);
    if (!head) {
      await this.log.createHead(tx, chainOrgId, genesisHash(chainOrgId), now);
      head = await this.log.lockHead(tx, chainOrgId);
    }
    if (!head) throw new Error(`audit chain head of ${chainOrgId} is missing`);
    if (await this.log.hasEntry(tx, chainOrgId, id)) return 'duplicate';
    const entry = appendToChain(head.head, {
      orgId: chainOrgId,
      id,
      occurredAt: timestampDate(event.occurredAt),
      receivedAt: now,
      actorType: enumName(commonV1.ActorType, event.actor?.type ?? 0),
      actorId: event.actor?.id ?? '',
      actorOrgId: event.actor?.orgId ?? '',
      action: event.action,
      resourceType: event.resourceType,
      resourceId: event.resourceId,
      privileged: event.privileged,
      reason: event.reason,
      outcome: enumName(complianceV1.AuditOutcome, event.outcome),
      requestId: event.requestId,
      correlationId: event.correlationId,
      sourceService: event.sourceService,
      metadata: { ...event.metadata },
    });
    await this.log.insert(tx, entry);
    await this.log.moveHead(tx, chainOrgId, entry.sequence, entry.hash, now);
    return 'appended';
  }

  /** A page of the organization's entries, newest first (Relay connection). */
  async list(
    orgId: string,
    filterInput: AuditLogFilterInput | null | undefined,
    page: { first?: number | null; after?: string | null },
  ): Promise<AuditLogPage> {
    const filter = checkFilter(filterInput);
    const window = pageWindow(page, {
      decode: decodeAuditCursor,
      invalid: (message) =>
        new ComplianceException(ComplianceErrorCode.INVALID_PAGINATION, message),
      defaultSize: DEFAULT_AUDIT_PAGE,
      maxSize: MAX_AUDIT_PAGE,
    });
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.log.entriesBefore(tx, orgId, filter, window.after, window.limit + 1),
    );
    return toPage(found, window.limit, window.after !== undefined, (node) =>
      encodeAuditCursor(node.sequence),
    );
  }

  /**
   * Walks the organization's chain from its anchor (genesis or retention checkpoint) to the
   * head read at the start, in batches, and names the first broken link. Entries appended
   * meanwhile lie beyond that head and are left for the next verification.
   */
  async verify(orgId: string): Promise<AuditChainVerification> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const stored = await this.log.head(tx, orgId);
      const anchor = stored?.anchor ?? { sequence: 0, hash: genesisHash(orgId) };
      const head = stored?.head ?? anchor;
      let position: ChainAnchor = anchor;
      let checked = 0;
      let lastId: string | null = null;
      let broken: BrokenLink | undefined;
      for (;;) {
        const batch = (
          await this.log.entriesAfter(tx, orgId, position.sequence, AUDIT_BATCH)
        ).filter((entry) => entry.sequence <= head.sequence);
        const result = verifyChainSegment(position, batch);
        checked += result.checked;
        position = result.anchor;
        broken = result.broken;
        if (result.checked) lastId = batch[result.checked - 1].id;
        if (broken || batch.length < AUDIT_BATCH) break;
      }
      broken ??= checkChainEnd(position, head, lastId);
      return {
        ok: !broken,
        checkedEntries: checked,
        firstBrokenAt: broken ?? null,
        anchorSequence: anchor.sequence,
        headSequence: head.sequence,
        prunedEntries: stored?.prunedEntries ?? 0,
      };
    });
  }

  /**
   * The organization's entries matching `filter`, oldest first, as JSON lines (one entry per
   * line, with its chain links). A batch per transaction: memory stays constant however long
   * the log is.
   */
  async *exportJsonLines(
    orgId: string,
    filterInput?: AuditLogFilterInput | null,
  ): AsyncGenerator<string> {
    const filter = checkFilter(filterInput);
    // Pinned at the start: entries appended while the export streams are not in it.
    const head = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.log.head(tx, orgId),
    );
    const last = head?.head.sequence ?? 0;
    let after = 0;
    for (;;) {
      const batch = await inTenantTransaction(this.dataSource, orgId, (tx) =>
        this.log.entriesAfter(tx, orgId, after, AUDIT_BATCH, filter),
      );
      for (const entry of batch) {
        if (entry.sequence > last) return;
        yield `${JSON.stringify(auditEntryJson(entry))}\n`;
      }
      if (batch.length < AUDIT_BATCH) return;
      after = batch.at(-1)!.sequence;
    }
  }

  /**
   * Retention: deletes the organization's oldest entries received before `before` and keeps
   * the hash of the last one deleted as the chain's checkpoint (verification then starts
   * there). Idempotent; returns how many entries were deleted.
   */
  prune(orgId: string, before: Date): Promise<number> {
    return inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.log.prune(tx, orgId, before, null),
    );
  }

  /**
   * One retention batch in the caller's tenant transaction (a libs/retention RetentionStep):
   * at most `limit` of the oldest entries received before `before`, checkpoint kept.
   */
  pruneBatch(tx: EntityManager, orgId: string, before: Date, limit: number): Promise<number> {
    return this.log.prune(tx, orgId, before, limit);
  }
}

/** The enum value's name; a value this build does not know (a newer producer) as its number. */
function enumName(values: Record<number, string>, value: number): string {
  return values[value] ?? String(value);
}

function hasNul(event: complianceV1.AuditEvent): boolean {
  const texts = [
    event.actor?.id,
    event.actor?.orgId,
    event.action,
    event.resourceType,
    event.resourceId,
    event.reason,
    event.requestId,
    event.correlationId,
    event.sourceService,
    ...Object.entries(event.metadata).flat(),
  ];
  return texts.some((text) => text?.includes('\u0000'));
}

/** The filter of a query or an export, checked (INVALID_AUDIT_FILTER). */
export function checkFilter(input: AuditLogFilterInput | null | undefined): AuditLogFilter {
  const filter: AuditLogFilter = {};
  for (const key of ['actorId', 'action', 'resourceType', 'resourceId'] as const) {
    const value = input?.[key];
    if (value == null) continue;
    if (value.length > MAX_FILTER_LENGTH) {
      throw new ComplianceException(
        ComplianceErrorCode.INVALID_AUDIT_FILTER,
        `${key} is longer than ${MAX_FILTER_LENGTH} characters`,
      );
    }
    filter[key] = value;
  }
  if (input?.from) filter.from = input.from;
  if (input?.to) filter.to = input.to;
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new ComplianceException(ComplianceErrorCode.INVALID_AUDIT_FILTER, '`from` is after `to`');
  }
  return filter;
}

/** One line of the JSON-lines export: the entry as stored, links included. */
export function auditEntryJson(entry: AuditEntryRecord) {
  return {
    sequence: entry.sequence,
    id: entry.id,
    orgId: entry.orgId,
    occurredAt: entry.occurredAt.toISOString(),
    receivedAt: entry.receivedAt.toISOString(),
    actor: { type: entry.actorType, id: entry.actorId, orgId: entry.actorOrgId },
    action: entry.action,
    resource: { type: entry.resourceType, id: entry.resourceId },
    privileged: entry.privileged,
    reason: entry.reason,
    outcome: entry.outcome,
    requestId: entry.requestId,
    correlationId: entry.correlationId,
    sourceService: entry.sourceService,
    metadata: entry.metadata,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}
