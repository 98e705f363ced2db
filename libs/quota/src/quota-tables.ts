import { createTenantTable, type SqlRunner } from '@switchboard/tenancy';

/**
 * The projection of billing.quota.v1 in the consuming service's database (call from one of its
 * migrations): one row per organization, billing's latest state (kept only when its version is
 * higher) plus the debits of the sends accepted since that state arrived.
 */
export async function createQuotaTables(runner: SqlRunner, appRole: string): Promise<void> {
  await createTenantTable(
    runner,
    'quota_states',
    `plan_id text NOT NULL,
     remaining_included bigint NOT NULL,
     wallet_available_minor bigint NOT NULL,
     max_segment_price_minor bigint NOT NULL,
     overage_allowed boolean NOT NULL,
     block_reason text CHECK (block_reason IN ('QUOTA_EXCEEDED','INSUFFICIENT_FUNDS')),
     version bigint NOT NULL,
     local_included_used bigint NOT NULL DEFAULT 0,
     local_wallet_spent bigint NOT NULL DEFAULT 0,
     updated_at timestamptz NOT NULL,
     PRIMARY KEY (org_id)`,
    appRole,
  );
}

/**
 * The highest MMS price of billing's state (QuotaState.max_mms_price), added to `quota_states`
 * by a later migration of the consuming service (after createQuotaTables).
 */
export async function addQuotaMmsPriceColumn(runner: SqlRunner): Promise<void> {
  await runner.query(
    `ALTER TABLE quota_states ADD COLUMN max_mms_price_minor bigint NOT NULL DEFAULT 0`,
  );
}
