import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LOOKUP_SETTING } from '../common/directory-lookup';
import { appRoleOf, createTenantsTable, createTenantTable, grantToApp } from '@switchboard/tenancy';

/**
 * ghl-sync's tables. Tenant tables (org_id, row-level security enabled and forced) hold each
 * organization's installations, provider messages, the GHL callback queue and the request log.
 * `ghl_directory` maps GHL ids to organizations (see its policy). One global table says why:
 * `webhook_receipts` (app webhook ids seen, deduplicated before the tenant is known).
 */
export class GhlSyncCore1750000000000 implements MigrationInterface {
  name = 'GhlSyncCore1750000000000';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantsTable(runner, app);

    // GHL id → organization. One row per location or company ever linked; `active` false after
    // an uninstall (traffic for it is refused), true again on reinstall. Webhooks name only GHL
    // ids, so the tenant is found here first. Tenant-isolated like devices' credentials: the
    // usual policy covers writes (inside the tenant's transaction), and one SELECT policy shows
    // a row to whoever sets app.ghl_lookup to its '<kind>:<id>' — done only after a webhook's
    // signature was verified. A query without it sees no row: the table cannot be listed.
    await createTenantTable(
      runner,
      'ghl_directory',
      `kind text NOT NULL CHECK (kind IN ('LOCATION','COMPANY')),
       ghl_id text NOT NULL,
       active boolean NOT NULL,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (kind, ghl_id)`,
      app,
    );
    await runner.query(`
      CREATE POLICY ghl_lookup ON ghl_directory FOR SELECT
        USING (kind || ':' || ghl_id = NULLIF(current_setting('${LOOKUP_SETTING}', true), ''))`);

    // App webhooks (INSTALL, UNINSTALL, ContactDndUpdate) seen, by their webhookId: a replay
    // inside the timestamp tolerance is acknowledged and ignored.
    await runner.query(`
      CREATE TABLE webhook_receipts (
        webhook_id text PRIMARY KEY,
        type text NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX webhook_receipts_received ON webhook_receipts (received_at)`);
    await grantToApp(runner, 'webhook_receipts', app);

    // One row per installed company (agency token) or location (its own token, or one minted
    // from the company's). Tokens are sealed with the service keyring (key id inside the value).
    await createTenantTable(
      runner,
      'installations',
      `id uuid PRIMARY KEY,
       user_type text NOT NULL CHECK (user_type IN ('Company','Location')),
       company_id text NOT NULL,
       location_id text,
       parent_id uuid REFERENCES installations (id) ON DELETE SET NULL,
       status text NOT NULL CHECK (status IN ('ACTIVE','UNINSTALLED')),
       scopes text NOT NULL DEFAULT '',
       access_token text,
       refresh_token text,
       token_key_id text,
       expires_at timestamptz,
       refreshed_at timestamptz,
       installed_by text,
       installed_at timestamptz NOT NULL,
       uninstalled_at timestamptz,
       last_error text,
       last_error_at timestamptz,
       updated_at timestamptz NOT NULL,
       CHECK ((user_type = 'Location') = (location_id IS NOT NULL))`,
      app,
    );
    await runner.query(
      `CREATE UNIQUE INDEX installations_location ON installations (location_id) WHERE location_id IS NOT NULL`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX installations_company ON installations (company_id) WHERE user_type = 'Company'`,
    );

    // Provider deliveries (GHL's outbound messages), one per GHL message id: the dedup key, the
    // message Switchboard sent for it, and the last status reported back (never backwards).
    await createTenantTable(
      runner,
      'provider_messages',
      `ghl_message_id text PRIMARY KEY,
       location_id text NOT NULL,
       contact_id text,
       message_id uuid,
       status text NOT NULL CHECK (status IN ('ACCEPTED','PENDING','DELIVERED','FAILED')),
       received_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL`,
      app,
    );
    await runner.query(
      `CREATE INDEX provider_messages_received ON provider_messages (org_id, received_at DESC)`,
    );

    // The callback queue: every call to GHL that must not be lost (status updates, inbound
    // messages, DND), written in the transaction of its cause and worked by one job.
    await createTenantTable(
      runner,
      'callbacks',
      `id uuid PRIMARY KEY,
       location_id text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('MESSAGE_STATUS','INBOUND_MESSAGE','CONTACT_DND')),
       subject text NOT NULL,
       payload jsonb NOT NULL,
       state text NOT NULL CHECK (state IN ('PENDING','DONE','GIVEN_UP')),
       attempts integer NOT NULL DEFAULT 0,
       next_attempt_at timestamptz NOT NULL,
       last_error text,
       created_at timestamptz NOT NULL,
       done_at timestamptz`,
      app,
    );
    await runner.query(
      `CREATE INDEX callbacks_due ON callbacks (next_attempt_at) WHERE state = 'PENDING'`,
    );
    await runner.query(`CREATE INDEX callbacks_subject ON callbacks (org_id, subject)`);

    // Every request to GHL (no bodies, no tokens): method, path, status, timing, outcome.
    await createTenantTable(
      runner,
      'request_log',
      `id uuid PRIMARY KEY,
       location_id text,
       operation text NOT NULL,
       method text NOT NULL,
       path text NOT NULL,
       status integer,
       duration_ms integer NOT NULL,
       error text,
       at timestamptz NOT NULL`,
      app,
    );
    await runner.query(`CREATE INDEX request_log_at ON request_log (org_id, at DESC, id)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [
      'request_log',
      'callbacks',
      'provider_messages',
      'installations',
      'webhook_receipts',
      'ghl_directory',
      'tenants',
    ]) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
