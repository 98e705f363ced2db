import { Injectable } from '@nestjs/common';
import { row, type SqlRunner } from '@switchboard/tenancy';
import type { QuotaProjection, QuotaRefusal } from './quota-decision';

/** Billing's published state, as the projection keeps it. */
export interface PublishedQuota {
  planId: string;
  remainingIncluded: number;
  walletAvailableMinor: number;
  maxSegmentPriceMinor: number;
  overageAllowed: boolean;
  blockReason: QuotaRefusal | null;
  version: number;
  updatedAt: Date;
}

/** SQL of `quota_states` (createQuotaTables). */
@Injectable()
export class QuotaStateStore {
  /** Keeps the state when its version is higher than the one held; clears the local debits. */
  async apply(tx: SqlRunner, orgId: string, q: PublishedQuota): Promise<void> {
    await tx.query(
      `INSERT INTO quota_states (org_id, plan_id, remaining_included, wallet_available_minor,
         max_segment_price_minor, overage_allowed, block_reason, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id) DO UPDATE SET plan_id = EXCLUDED.plan_id,
         remaining_included = EXCLUDED.remaining_included,
         wallet_available_minor = EXCLUDED.wallet_available_minor,
         max_segment_price_minor = EXCLUDED.max_segment_price_minor,
         overage_allowed = EXCLUDED.overage_allowed, block_reason = EXCLUDED.block_reason,
         version = EXCLUDED.version, updated_at = EXCLUDED.updated_at,
         local_included_used = 0, local_wallet_spent = 0
       WHERE quota_states.version < EXCLUDED.version`,
      [
        orgId,
        q.planId,
        q.remainingIncluded,
        q.walletAvailableMinor,
        q.maxSegmentPriceMinor,
        q.overageAllowed,
        q.blockReason,
        q.version,
        q.updatedAt,
      ],
    );
  }

  /** The projection, its row locked until the transaction ends (concurrent sends queue here). */
  lock(tx: SqlRunner, orgId: string): Promise<QuotaProjection | undefined> {
    return row<QuotaProjection>(
      tx,
      `SELECT remaining_included::float8 AS "remainingIncluded",
         wallet_available_minor::float8 AS "walletAvailableMinor",
         max_segment_price_minor::float8 AS "maxSegmentPriceMinor", overage_allowed AS "overageAllowed",
         block_reason AS "blockReason", local_included_used::float8 AS "localIncludedUsed",
         local_wallet_spent::float8 AS "localWalletSpent"
       FROM quota_states WHERE org_id = $1 FOR UPDATE`,
      [orgId],
    );
  }

  async debit(tx: SqlRunner, orgId: string, included: number, walletMinor: number): Promise<void> {
    await tx.query(
      `UPDATE quota_states SET local_included_used = local_included_used + $2,
         local_wallet_spent = local_wallet_spent + $3 WHERE org_id = $1`,
      [orgId, included, walletMinor],
    );
  }

  /** An organization's rows go with its purge. */
  async remove(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`DELETE FROM quota_states WHERE org_id = $1`, [orgId]);
  }
}
