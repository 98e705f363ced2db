import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows } from '@switchboard/tenancy';
import type {
  AuditChainHeadRecord,
  AuditEntryRecord,
  AuditExportRecord,
  AuditLogFilter,
} from './audit-entry.record';

type Tx = Pick<EntityManager, 'query'>;
type Row = Record<string, unknown>;

function entryFromRow(r: Row): AuditEntryRecord {
  return {
    orgId: r.org_id as string,
    sequence: Number(r.sequence),
    id: r.id as string,
    occurredAt: r.occurred_at as Date,
    receivedAt: r.received_at as Date,
    actorType: r.actor_type as string,
    actorId: r.actor_id as string,
    actorOrgId: r.actor_org_id as string,
    action: r.action as string,
    resourceType: r.resource_type as string,
    resourceId: r.resource_id as string,
    privileged: r.privileged as boolean,
    reason: r.reason as string,
    outcome: r.outcome as string,
    requestId: r.request_id as string,
    correlationId: r.correlation_id as string,
    sourceService: r.source_service as string,
    metadata: (r.metadata as Record<string, string> | null) ?? {},
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

function headFromRow(r: Row): AuditChainHeadRecord {
  return {
    orgId: r.org_id as string,
    head: { sequence: Number(r.last_sequence), hash: r.last_hash as string },
    anchor: { sequence: Number(r.anchor_sequence), hash: r.anchor_hash as string },
    prunedEntries: Number(r.pruned_entries),
    prunedAt: (r.pruned_at as Date | null) ?? null,
  };
}

/** The filter as SQL conditions after `org_id = $1` (parameters from $2). */
function filterSql(filter: AuditLogFilter, params: unknown[]): string {
  const where: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
  if (filter.action !== undefined) add('action = ?', filter.action);
  if (filter.resourceType !== undefined) add('resource_type = ?', filter.resourceType);
  if (filter.resourceId !== undefined) add('resource_id = ?', filter.resourceId);
  if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
  if (filter.to !== undefined) add('occurred_at < ?', filter.to);
  return where.map((w) => ` AND ${w}`).join('');
}

/** All SQL of the audit log. The tenant (the chain's organization) is set on `tx`. */
@Injectable()
export class AuditLogRepository {
  /** Creates the chain's head row if it has none (a no-op when another append created it). */
  async createHead(tx: Tx, orgId: string, genesis: string, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO audit_chain_heads
         (org_id, last_sequence, last_hash, anchor_sequence, anchor_hash, updated_at)
       VALUES ($1, 0, $2, 0, $2, $3)
       ON CONFLICT (org_id) DO NOTHING`,
      [orgId, genesis, now],
    );
  }

  /** The head, locked until the transaction ends: appends to one chain run one at a time. */
  async lockHead(tx: Tx, orgId: string): Promise<AuditChainHeadRecord | undefined> {
    const r = await row<Row>(tx, `SELECT * FROM audit_chain_heads WHERE org_id = $1 FOR UPDATE`, [
      orgId,
    ]);
    return r && headFromRow(r);
  }

  async head(tx: Tx, orgId: string): Promise<AuditChainHeadRecord | undefined> {
    const r = await row<Row>(tx, `SELECT * FROM audit_chain_heads WHERE org_id = $1`, [orgId]);
    return r && headFromRow(r);
  }

  async hasEntry(tx: Tx, orgId: string, id: string): Promise<boolean> {
    return Boolean(
      await row(tx, `SELECT 1 FROM audit_log WHERE org_id = $1 AND id = $2`, [orgId, id]),
    );
  }

  async insert(tx: Tx, e: AuditEntryRecord): Promise<void> {
    await tx.query(
      `INSERT INTO audit_log (org_id, sequence, id, occurred_at, received_at, actor_type, actor_id,
         actor_org_id, action, resource_type, resource_id, privileged, reason, outcome, request_id,
         correlation_id, source_service, metadata, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
      [
        e.orgId,
        e.sequence,
        e.id,
        e.occurredAt,
        e.receivedAt,
        e.actorType,
        e.actorId,
        e.actorOrgId,
        e.action,
        e.resourceType,
        e.resourceId,
        e.privileged,
        e.reason,
        e.outcome,
        e.requestId,
        e.correlationId,
        e.sourceService,
        JSON.stringify(e.metadata),
        e.prevHash,
        e.hash,
      ],
    );
  }

  async moveHead(tx: Tx, orgId: string, sequence: number, hash: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE audit_chain_heads SET last_sequence = $2, last_hash = $3, updated_at = $4
        WHERE org_id = $1`,
      [orgId, sequence, hash, now],
    );
  }

  /** Entries after `afterSequence`, oldest first: verification and export walk the chain so. */
  async entriesAfter(
    tx: Tx,
    orgId: string,
    afterSequence: number,
    limit: number,
    filter: AuditLogFilter = {},
  ): Promise<AuditEntryRecord[]> {
    const params: unknown[] = [orgId, afterSequence, limit];
    const conditions = filterSql(filter, params);
    return (
      await rows<Row>(
        tx,
        `SELECT * FROM audit_log WHERE org_id = $1 AND sequence > $2${conditions}
          ORDER BY sequence LIMIT $3`,
        params,
      )
    ).map(entryFromRow);
  }

  /** Entries before `beforeSequence` (all when undefined), newest first. */
  async entriesBefore(
    tx: Tx,
    orgId: string,
    filter: AuditLogFilter,
    beforeSequence: number | undefined,
    limit: number,
  ): Promise<AuditEntryRecord[]> {
    const params: unknown[] = [orgId, beforeSequence ?? Number.MAX_SAFE_INTEGER, limit];
    const conditions = filterSql(filter, params);
    return (
      await rows<Row>(
        tx,
        `SELECT * FROM audit_log WHERE org_id = $1 AND sequence < $2${conditions}
          ORDER BY sequence DESC LIMIT $3`,
        params,
      )
    ).map(entryFromRow);
  }

  /**
   * Deletes the chain's oldest entries received before `before` (at most `limit`; null: all)
   * and keeps the hash of the last one deleted as the chain's checkpoint (audit_log_prune, the
   * migrations' SECURITY DEFINER function: the application role cannot DELETE from the log).
   * Returns how many went.
   */
  async prune(tx: Tx, orgId: string, before: Date, limit: number | null): Promise<number> {
    const r = await row<{ deleted: string }>(
      tx,
      `SELECT audit_log_prune($1, $2, $3::integer) AS deleted`,
      [orgId, before, limit],
    );
    return Number(r?.deleted ?? 0);
  }

  async insertExport(tx: Tx, e: AuditExportRecord): Promise<void> {
    await tx.query(
      `INSERT INTO audit_exports (org_id, id, filter, requested_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [e.orgId, e.id, JSON.stringify(e.filter), e.requestedBy, e.createdAt, e.expiresAt],
    );
  }

  async findExport(tx: Tx, orgId: string, id: string): Promise<AuditExportRecord | undefined> {
    const r = await row<Row>(tx, `SELECT * FROM audit_exports WHERE org_id = $1 AND id = $2`, [
      orgId,
      id,
    ]);
    if (!r) return undefined;
    const stored = r.filter as Record<string, string>;
    return {
      orgId: r.org_id as string,
      id: r.id as string,
      filter: {
        ...stored,
        from: stored.from ? new Date(stored.from) : undefined,
        to: stored.to ? new Date(stored.to) : undefined,
      },
      requestedBy: r.requested_by as string,
      createdAt: r.created_at as Date,
      expiresAt: r.expires_at as Date,
    };
  }
}
