import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/events';
import { rows } from '@switchboard/tenancy';
import { effectivePeriods, type RetentionPeriods } from './retention-periods';

/** An organization's retention periods as the service's projection holds them. */
export interface TenantRetention {
  orgId: string;
  /** With defaults filled in. */
  periods: RetentionPeriods;
  /** 0: no policy seen (the defaults). */
  policyVersion: number;
}

/** SQL of `retention_policies` (see createRetentionTables). */
@Injectable()
export class RetentionPolicyStore {
  /** Keeps the periods when `version` is higher than the one held; true when applied. */
  async apply(
    tx: SqlRunner,
    orgId: string,
    periods: Partial<RetentionPeriods>,
    version: number,
    at: Date,
  ): Promise<boolean> {
    const changed = await rows(
      tx,
      `INSERT INTO retention_policies AS p (tenant_id, body_retention_days,
         metadata_retention_months, audit_retention_days, request_log_retention_days,
         policy_version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id) DO UPDATE SET
         body_retention_days = EXCLUDED.body_retention_days,
         metadata_retention_months = EXCLUDED.metadata_retention_months,
         audit_retention_days = EXCLUDED.audit_retention_days,
         request_log_retention_days = EXCLUDED.request_log_retention_days,
         policy_version = EXCLUDED.policy_version,
         updated_at = EXCLUDED.updated_at
       WHERE p.policy_version < EXCLUDED.policy_version
       RETURNING tenant_id`,
      [
        orgId,
        periods.bodyRetentionDays ?? 0,
        periods.metadataRetentionMonths ?? 0,
        periods.auditRetentionDays ?? 0,
        periods.requestLogRetentionDays ?? 0,
        version,
        at,
      ],
    );
    return changed.length > 0;
  }

  /** Makes the organization known (with the defaults until a policy arrives). */
  async register(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(
      `INSERT INTO retention_policies (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING`,
      [orgId],
    );
  }

  /** Every organization known, with its effective periods. */
  async all(runner: SqlRunner): Promise<TenantRetention[]> {
    const found = await rows<{
      tenant_id: string;
      body_retention_days: number;
      metadata_retention_months: number;
      audit_retention_days: number;
      request_log_retention_days: number;
      policy_version: string;
    }>(runner, `SELECT * FROM retention_policies ORDER BY tenant_id`);
    return found.map((r) => ({
      orgId: r.tenant_id,
      periods: effectivePeriods({
        bodyRetentionDays: r.body_retention_days,
        metadataRetentionMonths: r.metadata_retention_months,
        auditRetentionDays: r.audit_retention_days,
        requestLogRetentionDays: r.request_log_retention_days,
      }),
      policyVersion: Number(r.policy_version),
    }));
  }
}
