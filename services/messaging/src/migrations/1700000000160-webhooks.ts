import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable, grantToApp } from '@switchboard/tenancy';

/**
 * Customer webhooks (`webhooks/`):
 * - `webhook_endpoints`: an organization's receivers, their event types and signing secrets
 *   (the previous secret signs too until `previous_secret_expires_at`: rotation overlap);
 *   `failing_since` is the first failure since the last success (5 days of it disables it);
 * - `webhook_deliveries`: one row per event and endpoint (`event_id` is the `webhook-id`, the
 *   same on every attempt and replay, so a receiver dedupes by it), with its retry state;
 * - `webhook_delivery_attempts`: the delivery log (request headers, response code, latency,
 *   error), pruned with the delivery under the organization's retention;
 * - `webhook_delivery_queue`: not a tenant table: the worker's queue across tenants (ids and
 *   times only, like `scheduled_jobs`), claimed with `FOR UPDATE SKIP LOCKED` by every replica.
 */
export class Webhooks1700000000160 implements MigrationInterface {
  name = 'Webhooks1700000000160';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'webhook_endpoints',
      `id uuid PRIMARY KEY,
       url text NOT NULL,
       description text NOT NULL DEFAULT '',
       event_types text[] NOT NULL,
       secret text NOT NULL,
       previous_secret text,
       previous_secret_expires_at timestamptz,
       enabled boolean NOT NULL DEFAULT true,
       disabled_at timestamptz,
       disabled_reason text,
       failing_since timestamptz,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL`,
      app,
    );
    await runner.query(
      `CREATE INDEX webhook_endpoints_by_org ON webhook_endpoints (org_id, created_at)`,
    );
    await createTenantTable(
      runner,
      'webhook_deliveries',
      `id uuid PRIMARY KEY,
       endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
       event_id text NOT NULL,
       event_type text NOT NULL,
       payload text NOT NULL,
       status text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
       attempts integer NOT NULL DEFAULT 0,
       first_attempt_at timestamptz,
       last_attempt_at timestamptz,
       next_attempt_at timestamptz,
       last_response_code integer,
       last_error text,
       delivered_at timestamptz,
       created_at timestamptz NOT NULL,
       UNIQUE (endpoint_id, event_id)`,
      app,
    );
    await runner.query(
      `CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (org_id, endpoint_id, created_at DESC, id DESC)`,
    );
    await runner.query(
      `CREATE INDEX webhook_deliveries_by_created ON webhook_deliveries (org_id, created_at)`,
    );
    await createTenantTable(
      runner,
      'webhook_delivery_attempts',
      `id uuid PRIMARY KEY,
       delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
       attempt integer NOT NULL,
       attempted_at timestamptz NOT NULL,
       request_headers jsonb NOT NULL,
       response_code integer,
       response_body text,
       latency_ms integer NOT NULL,
       error text`,
      app,
    );
    await runner.query(
      `CREATE INDEX webhook_delivery_attempts_by_delivery ON webhook_delivery_attempts (org_id, delivery_id, attempt)`,
    );
    await runner.query(
      `CREATE TABLE webhook_delivery_queue (
         delivery_id uuid PRIMARY KEY,
         tenant_id uuid NOT NULL,
         due_at timestamptz NOT NULL
       )`,
    );
    await runner.query(
      `CREATE INDEX webhook_delivery_queue_by_due ON webhook_delivery_queue (due_at)`,
    );
    await grantToApp(runner, 'webhook_delivery_queue', app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE webhook_delivery_queue, webhook_delivery_attempts, webhook_deliveries, webhook_endpoints`,
    );
  }
}
