import type { ChainAnchor, ChainedAuditEntry } from '../domain/audit-chain';

/** One row of `audit_log`: the entry and its chain links. */
export type AuditEntryRecord = ChainedAuditEntry;

/** One row of `audit_chain_heads`: where an organization's chain ends and where it starts. */
export interface AuditChainHeadRecord {
  orgId: string;
  /** The last entry appended (sequence 0 and the genesis hash while the chain is empty). */
  head: ChainAnchor;
  /** What verification starts from: the genesis, or the checkpoint of the last pruned entry. */
  anchor: ChainAnchor;
  prunedEntries: number;
  prunedAt: Date | null;
}

/** A query of the log, already checked. Times bound `occurred_at` (from inclusive, to exclusive). */
export interface AuditLogFilter {
  actorId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
}

/** One row of `audit_exports`: an export asked for, served while its link is valid. */
export interface AuditExportRecord {
  orgId: string;
  id: string;
  filter: AuditLogFilter;
  requestedBy: string;
  createdAt: Date;
  expiresAt: Date;
}
