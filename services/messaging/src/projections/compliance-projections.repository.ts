import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, rows } from '@switchboard/tenancy';
import type { OrganizationPolicyProjection, SuppressionProjection } from './projection.record';

type Row = Record<string, unknown>;

/** A timestamp as pg returns it (Date) or as a JSON value carries it (ISO text). */
const date = (value: unknown) =>
  value == null ? null : value instanceof Date ? value : new Date(value as string);

/** A row of `organization_policies` (as selected, or as `to_jsonb` of it: dates as text). */
export function policyFromRow(found: Row): OrganizationPolicyProjection {
  const updatedAt = found.policy_updated_at;
  return {
    quietHoursEnabled: found.quiet_hours_enabled as boolean,
    windowStartMinute: Number(found.window_start_minute),
    windowEndMinute: Number(found.window_end_minute),
    transactionalAction:
      found.transactional_action as OrganizationPolicyProjection['transactionalAction'],
    applyStateRules: found.apply_state_rules as boolean,
    consentRequiredForCampaigns: found.consent_required_for_campaigns as boolean,
    version: BigInt(String(found.version)),
    updatedAt: typeof updatedAt === 'string' ? new Date(updatedAt) : date(updatedAt),
  };
}

/**
 * SQL of the compliance projections: `suppression_states` (per organization and number) and
 * `organization_policies`. Writes keep a record only when its version is higher than the one
 * held, so replays, duplicates and a rebuild from offset 0 are harmless.
 */
@Injectable()
export class ComplianceProjectionsRepository {
  async findSuppression(
    tx: EntityManager,
    orgId: string,
    phoneNumber: string,
  ): Promise<SuppressionProjection | undefined> {
    const found = await row<Row>(
      tx,
      `SELECT * FROM suppression_states WHERE org_id = $1 AND phone_number = $2`,
      [orgId, phoneNumber],
    );
    return found ? suppressionFromRow(found) : undefined;
  }

  /** The states of several numbers in one statement (a batch chunk's), by number. */
  async findSuppressions(
    tx: EntityManager,
    orgId: string,
    phoneNumbers: readonly string[],
  ): Promise<Map<string, SuppressionProjection>> {
    const found = await rows<Row>(
      tx,
      `SELECT * FROM suppression_states WHERE org_id = $1 AND phone_number = ANY($2::text[])`,
      [orgId, [...phoneNumbers]],
    );
    return new Map(found.map((r) => [r.phone_number as string, suppressionFromRow(r)]));
  }

  /** Stores the state unless the one held has the same or a higher version; true when stored. */
  async upsertSuppression(
    tx: EntityManager,
    orgId: string,
    state: SuppressionProjection,
  ): Promise<boolean> {
    const stored = await rows(
      tx,
      `INSERT INTO suppression_states (org_id, phone_number, opted_out, opted_out_changed_at,
         opt_out_source, consent, consent_changed_at, dnd, version, state_updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (org_id, phone_number) DO UPDATE SET opted_out = EXCLUDED.opted_out,
         opted_out_changed_at = EXCLUDED.opted_out_changed_at,
         opt_out_source = EXCLUDED.opt_out_source, consent = EXCLUDED.consent,
         consent_changed_at = EXCLUDED.consent_changed_at, dnd = EXCLUDED.dnd,
         version = EXCLUDED.version, state_updated_at = EXCLUDED.state_updated_at
       WHERE suppression_states.version < EXCLUDED.version
       RETURNING 1`,
      [
        orgId,
        state.phoneNumber,
        state.optedOut,
        state.optedOutChangedAt,
        state.optOutSource,
        state.consent,
        state.consentChangedAt,
        state.dnd,
        state.version.toString(),
        state.updatedAt,
      ],
    );
    return stored.length > 0;
  }

  async findPolicy(
    tx: EntityManager,
    orgId: string,
  ): Promise<OrganizationPolicyProjection | undefined> {
    const found = await row<Row>(tx, `SELECT * FROM organization_policies WHERE org_id = $1`, [
      orgId,
    ]);
    return found ? policyFromRow(found) : undefined;
  }

  /** Stores the policy unless the one held has the same or a higher version; true when stored. */
  async upsertPolicy(
    tx: EntityManager,
    orgId: string,
    policy: OrganizationPolicyProjection,
  ): Promise<boolean> {
    const stored = await rows(
      tx,
      `INSERT INTO organization_policies (org_id, quiet_hours_enabled, window_start_minute,
         window_end_minute, transactional_action, apply_state_rules, consent_required_for_campaigns,
         version, policy_updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (org_id) DO UPDATE SET quiet_hours_enabled = EXCLUDED.quiet_hours_enabled,
         window_start_minute = EXCLUDED.window_start_minute,
         window_end_minute = EXCLUDED.window_end_minute,
         transactional_action = EXCLUDED.transactional_action,
         apply_state_rules = EXCLUDED.apply_state_rules,
         consent_required_for_campaigns = EXCLUDED.consent_required_for_campaigns,
         version = EXCLUDED.version, policy_updated_at = EXCLUDED.policy_updated_at
       WHERE organization_policies.version < EXCLUDED.version
       RETURNING 1`,
      [
        orgId,
        policy.quietHoursEnabled,
        policy.windowStartMinute,
        policy.windowEndMinute,
        policy.transactionalAction,
        policy.applyStateRules,
        policy.consentRequiredForCampaigns,
        policy.version.toString(),
        policy.updatedAt,
      ],
    );
    return stored.length > 0;
  }
}

/** A row of `suppression_states` (or its to_jsonb, `version` as text). */
export function suppressionFromRow(found: Row): SuppressionProjection {
  return {
    phoneNumber: found.phone_number as string,
    optedOut: found.opted_out as boolean,
    optedOutChangedAt: date(found.opted_out_changed_at),
    optOutSource: found.opt_out_source as string,
    consent: found.consent as boolean,
    consentChangedAt: date(found.consent_changed_at),
    dnd: found.dnd as boolean,
    version: BigInt(found.version as string),
    updatedAt: date(found.state_updated_at),
  };
}
