import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable, grantToApp } from '@switchboard/tenancy';

/**
 * Carriers (`carriers/`):
 * - `carrier_accounts`: an organization's Twilio and Telnyx accounts; the credentials are one
 *   sealed JSON value (AES-256-GCM, `v1.<key id>.…`, libs/service-kit SecretKeyring, bound to
 *   the row) with its key id beside it for rotation; `credential_hint` is what the API shows
 *   (e.g. `AC…1234`);
 * - `carrier_numbers`: the accounts' sender numbers with their capabilities; a number belongs
 *   to one organization's account (unique across all organizations: inbound is keyed by it);
 * - `carrier_sticky_senders`: the number last used per contact, per account;
 * - `carrier_callback_receipts`: the callbacks taken (vendor event id, or MessageSid+status):
 *   a replay finds its key and changes nothing;
 * - `carrier_sends`: each attempt a carrier accepted (its id at the vendor, the account, the
 *   message, attempt and route): a status callback finds its message here, only through the
 *   account it came for;
 * - `carrier_dispatch_queue`: not a tenant table: the carrier send queue of every tenant
 *   (message id, attempt, tenant_id, due time, tries), claimed with `FOR UPDATE SKIP LOCKED`.
 */
export class Carriers1700000000200 implements MigrationInterface {
  name = 'Carriers1700000000200';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'carrier_accounts',
      `id uuid PRIMARY KEY,
       kind text NOT NULL CHECK (kind IN ('TWILIO', 'TELNYX')),
       name text NOT NULL,
       credentials text NOT NULL,
       credentials_key_id text NOT NULL,
       credential_hint text NOT NULL,
       sticky_sender boolean NOT NULL DEFAULT false,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL`,
      app,
    );
    await runner.query(
      `CREATE INDEX carrier_accounts_by_org ON carrier_accounts (org_id, created_at)`,
    );
    await createTenantTable(
      runner,
      'carrier_numbers',
      `id uuid PRIMARY KEY,
       carrier_account_id uuid NOT NULL REFERENCES carrier_accounts (id) ON DELETE CASCADE,
       number text NOT NULL,
       sms boolean NOT NULL,
       mms boolean NOT NULL,
       created_at timestamptz NOT NULL,
       CONSTRAINT carrier_numbers_number_unique UNIQUE (number)`,
      app,
    );
    await runner.query(
      `CREATE INDEX carrier_numbers_by_account ON carrier_numbers (org_id, carrier_account_id, created_at)`,
    );
    await createTenantTable(
      runner,
      'carrier_sticky_senders',
      `carrier_account_id uuid NOT NULL REFERENCES carrier_accounts (id) ON DELETE CASCADE,
       contact_number text NOT NULL,
       sender_number text NOT NULL,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, carrier_account_id, contact_number)`,
      app,
    );
    await createTenantTable(
      runner,
      'carrier_callback_receipts',
      `dedupe_key text NOT NULL,
       carrier_account_id uuid NOT NULL,
       received_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, dedupe_key)`,
      app,
    );
    await runner.query(
      `CREATE INDEX carrier_callback_receipts_by_time ON carrier_callback_receipts (org_id, received_at)`,
    );
    await runner.query(
      `CREATE TABLE carrier_dispatch_queue (
         message_id uuid NOT NULL,
         attempt integer NOT NULL,
         tenant_id uuid NOT NULL,
         route_id text NOT NULL,
         carrier_account_id uuid NOT NULL,
         tries integer NOT NULL DEFAULT 0,
         due_at timestamptz NOT NULL,
         PRIMARY KEY (message_id, attempt)
       )`,
    );
    await runner.query(
      `CREATE INDEX carrier_dispatch_queue_by_due ON carrier_dispatch_queue (due_at)`,
    );
    await grantToApp(runner, 'carrier_dispatch_queue', app);
    await createTenantTable(
      runner,
      'carrier_sends',
      `external_id text NOT NULL,
       carrier_account_id uuid NOT NULL,
       message_id uuid NOT NULL,
       attempt integer NOT NULL,
       route_id text NOT NULL,
       sent_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, carrier_account_id, external_id)`,
      app,
    );
    await runner.query(
      `CREATE INDEX carrier_sends_by_message ON carrier_sends (org_id, message_id)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE carrier_sends, carrier_dispatch_queue, carrier_callback_receipts, carrier_sticky_senders, carrier_numbers, carrier_accounts`,
    );
  }
}
