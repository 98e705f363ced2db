import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Messaging's side of compliance:
 * - `suppression_states`: the projection of `compliance.suppression.v1` (one row per
 *   organization and number: opted out, consent, DND), versioned by the record's `version`;
 * - `organization_policies`: the projection of `compliance.policy.v1` for sending (quiet hours,
 *   consent requirement), versioned the same way (retention has its own projection, `retention/`);
 * - `messages.purpose`: why an outbound message is sent (TRANSACTIONAL, CAMPAIGN,
 *   COMPLIANCE_REPLY), which decides the policies that apply to it; null for inbound messages
 *   (and for outbound ones sent before it existed: read as TRANSACTIONAL).
 * Both projections are tenant tables and can be rebuilt from their compacted topics.
 */
export class ComplianceProjections1700000000103 implements MigrationInterface {
  name = 'ComplianceProjections1700000000103';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'suppression_states',
      `phone_number text NOT NULL,
       opted_out boolean NOT NULL DEFAULT false,
       opted_out_changed_at timestamptz,
       opt_out_source text NOT NULL DEFAULT 'UNSPECIFIED',
       consent boolean NOT NULL DEFAULT false,
       consent_changed_at timestamptz,
       dnd boolean NOT NULL DEFAULT false,
       version bigint NOT NULL,
       state_updated_at timestamptz,
       PRIMARY KEY (org_id, phone_number)`,
      app,
    );
    await createTenantTable(
      runner,
      'organization_policies',
      `quiet_hours_enabled boolean NOT NULL,
       window_start_minute integer NOT NULL CHECK (window_start_minute BETWEEN 0 AND 1439),
       window_end_minute integer NOT NULL CHECK (window_end_minute BETWEEN 0 AND 1440),
       transactional_action text NOT NULL CHECK (transactional_action IN ('SEND', 'REFUSE', 'HOLD')),
       apply_state_rules boolean NOT NULL,
       consent_required_for_campaigns boolean NOT NULL,
       version bigint NOT NULL,
       policy_updated_at timestamptz,
       PRIMARY KEY (org_id)`,
      app,
    );
    await runner.query(
      `ALTER TABLE messages ADD COLUMN purpose text
         CHECK (purpose IN ('TRANSACTIONAL', 'CAMPAIGN', 'COMPLIANCE_REPLY'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE messages DROP COLUMN purpose`);
    await runner.query(`DROP TABLE organization_policies, suppression_states`);
  }
}
