import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable, grantToApp } from '@switchboard/tenancy';

/**
 * Campaigns (`campaigns/`):
 * - `campaigns`: a list, a template, a rate and a schedule, the status, the fan-out's cursor
 *   (the last contact sent to, in contact id order), its token bucket and progress counters
 *   (the fan-out's, and per message status from messaging.message.v1);
 * - `campaign_run_queue`: not a tenant table: the runner's queue across tenants (campaign id,
 *   tenant id, next run time; no content), claimed with `FOR UPDATE SKIP LOCKED` by every
 *   replica, like `webhook_delivery_queue`.
 */
export class Campaigns1700000000501 implements MigrationInterface {
  name = 'Campaigns1700000000501';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'campaigns',
      `id uuid PRIMARY KEY,
       name text NOT NULL,
       list_id uuid NOT NULL REFERENCES contact_lists (id),
       template text NOT NULL,
       rate_per_minute integer NOT NULL CHECK (rate_per_minute > 0),
       start_at timestamptz,
       end_at timestamptz,
       status text NOT NULL CHECK (status IN ('DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELED')),
       cursor_contact_id uuid,
       tokens double precision NOT NULL DEFAULT 0,
       tokens_at timestamptz,
       recipients_total bigint NOT NULL DEFAULT 0,
       messages_created bigint NOT NULL DEFAULT 0,
       messages_rejected bigint NOT NULL DEFAULT 0,
       send_errors bigint NOT NULL DEFAULT 0,
       messages_sent bigint NOT NULL DEFAULT 0,
       messages_delivered bigint NOT NULL DEFAULT 0,
       messages_failed bigint NOT NULL DEFAULT 0,
       messages_expired bigint NOT NULL DEFAULT 0,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       started_at timestamptz,
       finished_at timestamptz`,
      app,
    );
    await runner.query(
      `CREATE INDEX campaigns_by_created ON campaigns (org_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE TABLE campaign_run_queue (
         campaign_id uuid PRIMARY KEY,
         tenant_id uuid NOT NULL,
         due_at timestamptz NOT NULL
       )`,
    );
    await runner.query(`CREATE INDEX campaign_run_queue_by_due ON campaign_run_queue (due_at)`);
    await grantToApp(runner, 'campaign_run_queue', app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE campaign_run_queue, campaigns`);
  }
}
