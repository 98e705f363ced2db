import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';
import { CREDENTIAL_SETTING } from '../common/credential-setting';

const STATES = `'POOLED','QUEUED','HANDED_OUT','PROCESSED','SENT','DELIVERED','FAILED','CANCELED','EXPIRED','RELEASED'`;

/**
 * The fleet's tables. Every table holding an organization's data is a tenant table (org_id,
 * row-level security enabled and forced). Two are not tenant data and say why below.
 */
export class Fleet1720000000000 implements MigrationInterface {
  name = 'Fleet1720000000000';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();

    // The organizations this service holds something for. Not tenant data: just the list of
    // tenants, so the background sweep (presence, expiry, the pool) knows whose tenant
    // transactions to open — it reads nothing else outside inTenantTransaction(orgId).
    await runner.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        first_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`GRANT SELECT, INSERT ON tenants TO ${app}`);

    // Credential lookup: token hash → (kind, device or enrollment id, org). The device API
    // knows only a bearer token when a request arrives, and must find the organization before
    // it can open a tenant transaction. Options were a SECURITY DEFINER function or a table
    // outside RLS. A definer function does not help with FORCEd row-level security (the
    // owner obeys it too): it would need a BYPASSRLS role or a policy exception for the owner,
    // widening what can read tenant tables. So this is the lookup table, holding only
    // (token_hash → subject, org) and no other data, and it stays tenant-isolated anyway:
    //  - the usual tenant policy covers writes (created/revoked inside the tenant's transaction);
    //  - one extra SELECT policy shows a row to whoever sets app.credential_hash to its hash,
    //    i.e. to the holder of the token (the hash of 256 random bits can't be guessed). A
    //    query without it sees no row: the table can't be listed or enumerated.
    // After the lookup everything runs in inTenantTransaction(orgId).
    await createTenantTable(
      runner,
      'credentials',
      `token_hash bytea PRIMARY KEY,
       kind text NOT NULL CHECK (kind IN ('enrollment', 'device')),
       subject_id uuid NOT NULL,
       expires_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now()`,
      app,
    );
    await runner.query(`CREATE INDEX credentials_subject ON credentials (subject_id)`);
    await runner.query(`
      CREATE POLICY credential_holder ON credentials FOR SELECT
        USING (token_hash = decode(NULLIF(current_setting('${CREDENTIAL_SETTING}', true), ''), 'hex'))`);

    await createTenantTable(
      runner,
      'enrollment_tokens',
      `id uuid PRIMARY KEY,
       name text,
       created_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       expires_at timestamptz NOT NULL,
       revoked_at timestamptz,
       last_used_at timestamptz,
       uses integer NOT NULL DEFAULT 0`,
      app,
    );

    await createTenantTable(
      runner,
      'devices',
      `id uuid PRIMARY KEY,
       enrollment_id uuid,
       name text NOT NULL,
       manufacturer text,
       model text,
       app_version text,
       push_token text,
       connected boolean NOT NULL DEFAULT true,
       enabled boolean NOT NULL DEFAULT true,
       quarantined_at timestamptz,
       quarantine_reason text,
       send_rate_per_minute integer NOT NULL CHECK (send_rate_per_minute > 0),
       daily_limit integer CHECK (daily_limit > 0),
       sim_policy text NOT NULL DEFAULT 'BALANCED' CHECK (sim_policy IN ('DEVICE_DEFAULT', 'BALANCED')),
       last_seen_at timestamptz NOT NULL,
       offline_since timestamptz,
       last_pull_at timestamptz,
       last_assigned_at timestamptz,
       health_score real NOT NULL DEFAULT 100,
       consecutive_failures integer NOT NULL DEFAULT 0,
       outcomes integer NOT NULL DEFAULT 0,
       sent_count bigint NOT NULL DEFAULT 0,
       delivered_count bigint NOT NULL DEFAULT 0,
       failed_count bigint NOT NULL DEFAULT 0,
       webhook_signing_key text NOT NULL,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       removed_at timestamptz`,
      app,
    );
    await runner.query(`CREATE INDEX devices_active ON devices (org_id) WHERE removed_at IS NULL`);

    // SIM numbers are kept masked (the app already sends `****` + last four).
    await createTenantTable(
      runner,
      'sims',
      `device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
       slot integer NOT NULL CHECK (slot > 0),
       slot_index integer NOT NULL,
       carrier_name text,
       masked_number text,
       PRIMARY KEY (device_id, slot)`,
      app,
    );

    // One row per dispatch attempt of a message: device_id NULL while it waits in the org's
    // pool. The body is cleared when the row reaches a final state.
    await createTenantTable(
      runner,
      'device_messages',
      `id uuid PRIMARY KEY,
       message_id text NOT NULL,
       attempt integer NOT NULL,
       device_id uuid REFERENCES devices (id),
       state text NOT NULL CHECK (state IN (${STATES})),
       to_e164 text NOT NULL,
       body text NOT NULL,
       segments integer NOT NULL CHECK (segments > 0),
       encoding text,
       requested_sim integer,
       sim_number integer,
       preferred_device_id uuid,
       excluded_device_ids uuid[] NOT NULL DEFAULT '{}',
       valid_until timestamptz,
       priority integer NOT NULL DEFAULT 0,
       error_code text,
       error_message text,
       timed_out boolean NOT NULL DEFAULT false,
       cancel_requested boolean NOT NULL DEFAULT false,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       assigned_at timestamptz,
       handed_out_at timestamptz,
       processed_at timestamptz,
       sent_at timestamptz,
       delivered_at timestamptz,
       failed_at timestamptz,
       canceled_at timestamptz,
       expired_at timestamptz,
       released_at timestamptz,
       UNIQUE (org_id, message_id, attempt)`,
      app,
    );
    await runner.query(
      `CREATE INDEX device_messages_open ON device_messages (device_id, state)
         WHERE state IN ('QUEUED', 'HANDED_OUT', 'PROCESSED')`,
    );
    await runner.query(
      `CREATE INDEX device_messages_pool ON device_messages (org_id, priority DESC, created_at)
         WHERE state = 'POOLED'`,
    );
    await runner.query(
      `CREATE INDEX device_messages_handouts ON device_messages (device_id, handed_out_at)
         WHERE handed_out_at IS NOT NULL`,
    );
    await runner.query(
      `CREATE INDEX device_messages_message ON device_messages (org_id, message_id, attempt DESC)`,
    );

    // Webhook calls already applied (by the app's own event id: its retries are deduplicated)
    // and signatures already seen (a replayed request is refused). Pruned by the sweep.
    await createTenantTable(
      runner,
      'inbound_receipts',
      `device_id uuid NOT NULL,
       event_id text NOT NULL,
       event text NOT NULL,
       received_at timestamptz NOT NULL,
       PRIMARY KEY (device_id, event_id)`,
      app,
    );
    await createTenantTable(
      runner,
      'webhook_signatures',
      `device_id uuid NOT NULL,
       signature text NOT NULL,
       seen_at timestamptz NOT NULL,
       PRIMARY KEY (device_id, signature)`,
      app,
    );
    await runner.query(`CREATE INDEX webhook_signatures_seen ON webhook_signatures (seen_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE webhook_signatures, inbound_receipts, device_messages, sims, devices,
         enrollment_tokens, credentials, tenants`,
    );
  }
}
