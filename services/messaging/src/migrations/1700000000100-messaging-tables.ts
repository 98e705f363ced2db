import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable, grantToApp } from '@switchboard/tenancy';
import { MESSAGE_STATUSES } from '../domain/message-status';

const statuses = MESSAGE_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * The messaging tables. Tenant tables (org_id first, row-level security enabled and forced):
 * messages, conversations, idempotency_keys and the two projections (organizations, devices).
 * Not a tenant table: scheduled_jobs, the scheduler's queue (like the outbox it serves every
 * tenant and carries the tenant for the worker; it holds ids and times only).
 *
 * Message indexes: every filter of the `messages` connection has one that starts with org_id
 * and ends with (created_at DESC, id DESC), the keyset of the pagination, so a page is an index
 * range scan of `first + 1` rows however many millions of rows the organization has.
 */
export class MessagingTables1700000000100 implements MigrationInterface {
  name = 'MessagingTables1700000000100';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'messages',
      `id uuid PRIMARY KEY,
       direction text NOT NULL CHECK (direction IN ('OUTBOUND', 'INBOUND')),
       status text NOT NULL CHECK (status IN (${statuses})),
       from_number text,
       to_number text,
       body text,
       encoding text NOT NULL CHECK (encoding IN ('GSM7', 'UCS2')),
       segments integer NOT NULL CHECK (segments >= 0),
       media_urls text[] NOT NULL DEFAULT '{}',
       route text CHECK (route IN ('DEVICE', 'CARRIER', 'GHL')),
       device_id text,
       sim_number integer,
       requested_device_id text,
       requested_sim_number integer,
       conversation_id uuid,
       campaign_id uuid,
       external_id text,
       ghl_message_id text,
       device_message_id text,
       idempotency_key text,
       metadata jsonb NOT NULL DEFAULT '{}',
       error_code text,
       error_message text,
       error_raw_code text,
       error_raw_message text,
       attempt integer NOT NULL DEFAULT 0,
       excluded_device_ids text[] NOT NULL DEFAULT '{}',
       scheduled_at timestamptz,
       valid_until timestamptz,
       event_sequence integer NOT NULL DEFAULT 0,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       queued_at timestamptz,
       scheduled_status_at timestamptz,
       dispatched_at timestamptz,
       sent_at timestamptz,
       delivered_at timestamptz,
       failed_at timestamptz,
       rejected_at timestamptz,
       expired_at timestamptz,
       canceled_at timestamptz,
       received_at timestamptz`,
      app,
    );
    const keyset = 'created_at DESC, id DESC';
    await runner.query(`CREATE INDEX messages_by_created ON messages (org_id, ${keyset})`);
    for (const column of ['status', 'direction', 'to_number', 'from_number']) {
      await runner.query(
        `CREATE INDEX messages_by_${column} ON messages (org_id, ${column}, ${keyset})`,
      );
    }
    for (const column of ['device_id', 'campaign_id', 'conversation_id']) {
      await runner.query(
        `CREATE INDEX messages_by_${column} ON messages (org_id, ${column}, ${keyset}) WHERE ${column} IS NOT NULL`,
      );
    }
    // A device may post the same inbound SMS twice (under different event ids).
    await runner.query(
      `CREATE UNIQUE INDEX messages_inbound_once ON messages (org_id, device_id, device_message_id)
        WHERE device_message_id IS NOT NULL`,
    );

    await createTenantTable(
      runner,
      'conversations',
      `id uuid PRIMARY KEY,
       contact_number text NOT NULL,
       sender_key text NOT NULL,
       our_number text,
       device_id text,
       sim_number integer,
       message_count integer NOT NULL DEFAULT 0,
       unread_count integer NOT NULL DEFAULT 0,
       last_message_at timestamptz NOT NULL,
       last_message_id uuid,
       last_read_at timestamptz,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       UNIQUE (org_id, contact_number, sender_key)`,
      app,
    );
    await runner.query(
      `CREATE INDEX conversations_by_activity ON conversations (org_id, last_message_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX conversations_unread ON conversations (org_id, last_message_at DESC, id DESC)
        WHERE unread_count > 0`,
    );

    await createTenantTable(
      runner,
      'idempotency_keys',
      `key text NOT NULL,
       fingerprint text NOT NULL,
       message_id uuid NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       expires_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, key)`,
      app,
    );
    await runner.query(
      `CREATE INDEX idempotency_keys_expiry ON idempotency_keys (org_id, expires_at)`,
    );

    await createTenantTable(
      runner,
      'organizations',
      `slug text NOT NULL,
       name text NOT NULL,
       timezone text,
       status text NOT NULL,
       default_country text,
       version_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (org_id)`,
      app,
    );

    await createTenantTable(
      runner,
      'devices',
      `device_id text PRIMARY KEY,
       name text NOT NULL DEFAULT '',
       status text NOT NULL,
       sims jsonb NOT NULL DEFAULT '[]',
       removed_at timestamptz,
       version_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL DEFAULT now()`,
      app,
    );

    await runner.query(`
      CREATE TABLE scheduled_jobs (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL,
        message_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('dispatch', 'expire')),
        due_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        UNIQUE (message_id, kind)
      )`);
    await runner.query(`CREATE INDEX scheduled_jobs_due ON scheduled_jobs (due_at)`);
    await grantToApp(runner, 'scheduled_jobs', app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE scheduled_jobs, devices, organizations, idempotency_keys, conversations, messages`,
    );
  }
}
