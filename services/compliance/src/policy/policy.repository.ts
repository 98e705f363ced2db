import { Injectable } from '@nestjs/common';
import { row, type SqlRunner } from '@switchboard/tenancy';
import type { PolicySettings } from '../domain/policy';
import type { PolicyRecord } from './policy.record';

const COLUMNS = `org_id AS "orgId",
  quiet_hours_enabled AS "quietHoursEnabled",
  window_start_minute AS "windowStartMinute",
  window_end_minute AS "windowEndMinute",
  transactional_action AS "transactionalAction",
  apply_state_rules AS "applyStateRules",
  consent_required_for_campaigns AS "consentRequiredForCampaigns",
  body_retention_days AS "bodyRetentionDays",
  metadata_retention_months AS "metadataRetentionMonths",
  audit_retention_days AS "auditRetentionDays",
  request_log_retention_days AS "requestLogRetentionDays",
  stop_reply AS "stopReply",
  start_reply AS "startReply",
  help_reply AS "helpReply",
  version::int AS version,
  updated_at AS "updatedAt",
  updated_by AS "updatedBy"`;

/** The settings in the column order of the INSERTs below. */
const values = (policy: PolicySettings): unknown[] => [
  policy.quietHoursEnabled,
  policy.windowStartMinute,
  policy.windowEndMinute,
  policy.transactionalAction,
  policy.applyStateRules,
  policy.consentRequiredForCampaigns,
  policy.bodyRetentionDays,
  policy.metadataRetentionMonths,
  policy.auditRetentionDays,
  policy.requestLogRetentionDays,
  policy.stopReply,
  policy.startReply,
  policy.helpReply,
];

/** SQL of `organization_policies`: one row per organization. */
@Injectable()
export class PolicyRepository {
  /** The organization's policy; `forUpdate` locks it until the transaction ends. */
  find(tx: SqlRunner, orgId: string, forUpdate = false): Promise<PolicyRecord | undefined> {
    return row<PolicyRecord>(
      tx,
      `SELECT ${COLUMNS} FROM organization_policies WHERE org_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [orgId],
    );
  }

  /**
   * Stores `policy` as version 1 unless the organization has a policy already (then nothing
   * changes); returns the inserted row, or undefined.
   */
  insertFirst(
    tx: SqlRunner,
    orgId: string,
    policy: PolicySettings,
    at: Date,
    by: string,
  ): Promise<PolicyRecord | undefined> {
    return row<PolicyRecord>(
      tx,
      `INSERT INTO organization_policies (org_id, quiet_hours_enabled, window_start_minute,
         window_end_minute, transactional_action, apply_state_rules, consent_required_for_campaigns,
         body_retention_days, metadata_retention_months, audit_retention_days,
         request_log_retention_days, stop_reply, start_reply, help_reply, version, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $16)
       ON CONFLICT (org_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [orgId, ...values(policy), at, by],
    );
  }

  /** Writes version `version` of the policy (insert or replace); returns it. */
  async save(
    tx: SqlRunner,
    orgId: string,
    policy: PolicySettings,
    version: number,
    at: Date,
    by: string,
  ): Promise<PolicyRecord> {
    const saved = await row<PolicyRecord>(
      tx,
      `INSERT INTO organization_policies (org_id, quiet_hours_enabled, window_start_minute,
         window_end_minute, transactional_action, apply_state_rules, consent_required_for_campaigns,
         body_retention_days, metadata_retention_months, audit_retention_days,
         request_log_retention_days, stop_reply, start_reply, help_reply, version, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (org_id) DO UPDATE SET
         quiet_hours_enabled = EXCLUDED.quiet_hours_enabled,
         window_start_minute = EXCLUDED.window_start_minute,
         window_end_minute = EXCLUDED.window_end_minute,
         transactional_action = EXCLUDED.transactional_action,
         apply_state_rules = EXCLUDED.apply_state_rules,
         consent_required_for_campaigns = EXCLUDED.consent_required_for_campaigns,
         body_retention_days = EXCLUDED.body_retention_days,
         metadata_retention_months = EXCLUDED.metadata_retention_months,
         audit_retention_days = EXCLUDED.audit_retention_days,
         request_log_retention_days = EXCLUDED.request_log_retention_days,
         stop_reply = EXCLUDED.stop_reply,
         start_reply = EXCLUDED.start_reply,
         help_reply = EXCLUDED.help_reply,
         version = EXCLUDED.version,
         updated_at = EXCLUDED.updated_at,
         updated_by = EXCLUDED.updated_by
       RETURNING ${COLUMNS}`,
      [orgId, ...values(policy), version, at, by],
    );
    return saved!;
  }
}
