import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantsTable, createTenantTable } from '@switchboard/tenancy';

const SOURCES = `'INBOUND_KEYWORD','API','GHL','LIST_IMPORT','ADMIN','WEB_FORM'`;
const KINDS = `'OPT_OUT','OPT_IN','CONSENT_GRANTED','CONSENT_WITHDRAWN','DND_SET','DND_CLEARED','HELP'`;

/**
 * The compliance core: the organizations compliance knows, their policy, and per number the
 * current suppression state plus its append-only history. Every table holding an organization's
 * data is a tenant table (org_id, row-level security enabled and forced); `tenants` is not and
 * says why. Opt-outs and their history are kept forever: only the organization's purge
 * (accounts' `deleted`, 30 days after closure) deletes them.
 */
export class ComplianceCore1730000000000 implements MigrationInterface {
  name = 'ComplianceCore1730000000000';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();

    // Not tenant data: the ids of the organizations compliance holds something for, so
    // scheduled jobs (retention) know whose tenant transactions to open.
    await createTenantsTable(runner, app);

    // The organization as accounts.organization.v1 describes it: its name goes into the
    // STOP/HELP replies.
    await createTenantTable(
      runner,
      'organizations',
      `name text NOT NULL,
       slug text NOT NULL DEFAULT '',
       closed_at timestamptz,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id)`,
      app,
    );

    // One row per organization: quiet hours, consent, retention, reply texts. `version`
    // increases with every change (the compacted compliance.policy.v1 keeps the latest).
    await createTenantTable(
      runner,
      'organization_policies',
      `quiet_hours_enabled boolean NOT NULL,
       window_start_minute integer NOT NULL CHECK (window_start_minute BETWEEN 0 AND 1439),
       window_end_minute integer NOT NULL CHECK (window_end_minute BETWEEN 1 AND 1440),
       transactional_action text NOT NULL CHECK (transactional_action IN ('SEND','REFUSE','HOLD')),
       apply_state_rules boolean NOT NULL,
       consent_required_for_campaigns boolean NOT NULL,
       body_retention_days integer NOT NULL CHECK (body_retention_days > 0),
       metadata_retention_months integer NOT NULL CHECK (metadata_retention_months > 0),
       audit_retention_days integer NOT NULL CHECK (audit_retention_days > 0),
       request_log_retention_days integer NOT NULL CHECK (request_log_retention_days > 0),
       stop_reply text,
       start_reply text,
       help_reply text,
       version bigint NOT NULL CHECK (version > 0),
       updated_at timestamptz NOT NULL,
       updated_by text NOT NULL,
       PRIMARY KEY (org_id)`,
      app,
    );

    // The current state per number (what compliance.suppression.v1 carries).
    await createTenantTable(
      runner,
      'suppressions',
      `phone_number text NOT NULL,
       opted_out boolean NOT NULL DEFAULT false,
       opted_out_changed_at timestamptz,
       opt_out_source text CHECK (opt_out_source IN (${SOURCES})),
       consent boolean NOT NULL DEFAULT false,
       consent_changed_at timestamptz,
       consent_source text CHECK (consent_source IN (${SOURCES})),
       dnd boolean NOT NULL DEFAULT false,
       version bigint NOT NULL CHECK (version > 0),
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, phone_number)`,
      app,
    );
    await runner.query(
      `CREATE INDEX suppressions_opted_out ON suppressions (org_id, opted_out_changed_at DESC, phone_number)
         WHERE opted_out`,
    );
    await runner.query(
      `CREATE INDEX suppressions_consent ON suppressions (org_id, consent_changed_at DESC, phone_number)
         WHERE consent`,
    );

    // Append-only history: who, when, from where, why, the inbound message, and for consent
    // the evidence (IP, the text shown). The application role may not UPDATE it; DELETE only
    // for the organization's purge.
    await createTenantTable(
      runner,
      'suppression_history',
      `id uuid PRIMARY KEY,
       phone_number text NOT NULL,
       kind text NOT NULL CHECK (kind IN (${KINDS})),
       source text NOT NULL CHECK (source IN (${SOURCES})),
       actor_type text NOT NULL,
       actor_id text NOT NULL,
       reason text,
       keyword text,
       message_id text,
       ip inet,
       consent_text text,
       occurred_at timestamptz NOT NULL,
       recorded_at timestamptz NOT NULL`,
      app,
    );
    await runner.query(`REVOKE UPDATE ON suppression_history FROM ${app}`);
    await runner.query(
      `CREATE INDEX suppression_history_number ON suppression_history (org_id, phone_number, recorded_at DESC)`,
    );
    // One entry per inbound keyword message: a replayed inbound event records nothing twice.
    await runner.query(
      `CREATE UNIQUE INDEX suppression_history_message ON suppression_history (org_id, message_id)
         WHERE message_id IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE suppression_history, suppressions, organization_policies, organizations, tenants`,
    );
  }
}
