import { Injectable } from '@nestjs/common';
import { row, type SqlRunner } from '@switchboard/tenancy';
import type { QuotaProjection, QuotaRefusal } from './quota-decision';

/** Billing's published state, as the projection keeps it. */
export interface PublishedQuota {
  planId: string;
  remainingIncluded: number;
  walletAvailableMinor: number;
  maxSegmentPriceMinor: number;
  maxMmsPriceMinor: number;
  overageAllowed: boolean;
  blockReason: QuotaRefusal | null;
  version: number;
  updatedAt: Date;
}

/** `quota_states`' columns as QuotaProjection names them. */
const PROJECTION_COLUMNS = `remaining_included::float8 AS "remainingIncluded",
  wallet_available_minor::float8 AS "walletAvailableMinor",
  max_segment_price_minor::float8 AS "maxSegmentPriceMinor",
  max_mms_price_minor::float8 AS "maxMmsPriceMinor", overage_allowed AS "overageAllowed",
  block_reason AS "blockReason", local_included_used::float8 AS "localIncludedUsed",
  local_wallet_spent::float8 AS "localWalletSpent"`;

/**
 * The organization's projection as one JSON value (null: none published), a scalar subquery
 * for a caller that reads it together with other facts in one statement (without a lock, like
 * `read`); `orgIdParameter` is the statement's parameter holding the organization (`$1`).
 * quotaProjectionOf reads the value.
 */
export function quotaProjectionSubquery(orgIdParameter: string): string {
  if (!/^\$\d+$/.test(orgIdParameter)) throw new Error(`not a parameter: ${orgIdParameter}`);
  return `(SELECT to_jsonb(q) FROM (SELECT ${PROJECTION_COLUMNS} FROM quota_states WHERE org_id = ${orgIdParameter}) q)`;
}

/** The projection a quotaProjectionSubquery answered (null: none published). */
export function quotaProjectionOf(value: unknown): QuotaProjection | null {
  return value && typeof value === 'object' ? (value as QuotaProjection) : null;
}

/** SQL of `quota_states` (createQuotaTables). */
@Injectable()
export class QuotaStateStore {
  /** Keeps the state when its version is higher than the one held; clears the local debits. */
  async apply(tx: SqlRunner, orgId: string, q: PublishedQuota): Promise<void> {
    await tx.query(
      `INSERT INTO quota_states (org_id, plan_id, remaining_included, wallet_available_minor,
         max_segment_price_minor, overage_allowed, block_reason, version, updated_at,
         max_mms_price_minor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (org_id) DO UPDATE SET plan_id = EXCLUDED.plan_id,
         remaining_included = EXCLUDED.remaining_included,
         wallet_available_minor = EXCLUDED.wallet_available_minor,
         max_segment_price_minor = EXCLUDED.max_segment_price_minor,
         max_mms_price_minor = EXCLUDED.max_mms_price_minor,
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
        q.maxMmsPriceMinor,
      ],
    );
  }

  /**
   * The projection as last committed; with `lock`, its row locked until the transaction ends
   * (concurrent sends queue there — only the fallback after a lost take does that).
   */
  read(
    tx: SqlRunner,
    orgId: string,
    options: { lock?: boolean } = {},
  ): Promise<QuotaProjection | undefined> {
    return row<QuotaProjection>(
      tx,
      `SELECT ${PROJECTION_COLUMNS} FROM quota_states WHERE org_id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [orgId],
    );
  }

  /**
   * Debits `segments` (with `mms`: one MMS) when they still fit, deciding again on the row as it is now, in one
   * statement (the UPDATE locks the row and re-reads it when a concurrent take committed first):
   * the rule of `decideQuota` — the allowance first, then overage (plans that allow it), then
   * the wallet at the highest price in force — in SQL (`take agrees with decideQuota` in
   * test/quota-policy.integration-spec.ts keeps the two the same). `taken`: debited; `known`:
   * billing has published a state for the organization (no state: nothing to debit).
   */
  async take(
    tx: SqlRunner,
    orgId: string,
    segments: number,
    mms = false,
  ): Promise<{ taken: boolean; known: boolean }> {
    // An MMS: one unit, no allowance ($3), at the MMS price.
    // A state that allows overage allows every send and its local debits decide nothing (a new
    // state resets them): no UPDATE then, so one organization's sends do not queue on its row
    // until each commits (issue 17: that lock was the postpaid send path's bottleneck).
    const result = await row<{ taken: boolean; known: boolean }>(
      tx,
      `WITH state AS (SELECT overage_allowed FROM quota_states WHERE org_id = $1),
       taken AS (
         UPDATE quota_states SET
           local_included_used = local_included_used + LEAST($2::bigint,
             GREATEST(0, CASE WHEN $3 THEN 0 ELSE remaining_included - local_included_used END)),
           local_wallet_spent = local_wallet_spent + CASE WHEN overage_allowed THEN 0 ELSE
             ($2::bigint - LEAST($2::bigint,
               GREATEST(0, CASE WHEN $3 THEN 0 ELSE remaining_included - local_included_used END)))
               * GREATEST(1, CASE WHEN $3 THEN max_mms_price_minor ELSE max_segment_price_minor END)
             END
         WHERE org_id = $1 AND NOT overage_allowed AND (
           (NOT $3 AND $2::bigint <= remaining_included - local_included_used)
           OR ($2::bigint - GREATEST(0,
                 CASE WHEN $3 THEN 0 ELSE remaining_included - local_included_used END))
                * GREATEST(1, CASE WHEN $3 THEN max_mms_price_minor ELSE max_segment_price_minor END)
                <= wallet_available_minor - local_wallet_spent)
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM taken) OR coalesce((SELECT overage_allowed FROM state), false)
           AS taken,
         EXISTS (SELECT 1 FROM state) AS known`,
      [orgId, mms ? 1 : segments, mms],
    );
    return result ?? { taken: false, known: false };
  }

  /** An organization's rows go with its purge. */
  async remove(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`DELETE FROM quota_states WHERE org_id = $1`, [orgId]);
  }
}
