import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Routing (`routing/`, issue 12):
 * - `routes`: an organization's routes — its device pool, Twilio accounts, Telnyx profiles —
 *   with priority, destination-country allow-list, cost per segment and daily cap; none at all
 *   means the implicit device pool (as before routes existed);
 * - `route_daily_usage`: segments per route and UTC day, one upserted counter row (the cap check
 *   reads one row per route, never counts messages);
 * - `message_route_attempts`: each route a message took, in order (its dispatch attempt number,
 *   start and end, outcome, the error that made it fail over), deleted with the message;
 * - `messages.route` gains TWILIO and TELNYX; the scheduler gains the device-route deadline.
 */
export class Routing1700000000300 implements MigrationInterface {
  name = 'Routing1700000000300';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'routes',
      `id uuid PRIMARY KEY,
       name text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('DEVICE_POOL', 'TWILIO', 'TELNYX')),
       carrier_account_id uuid,
       priority integer NOT NULL,
       allowed_countries text[] NOT NULL,
       cost_per_segment_minor integer CHECK (cost_per_segment_minor >= 0),
       cost_currency text,
       daily_cap_segments integer CHECK (daily_cap_segments >= 0),
       device_failover_seconds integer CHECK (device_failover_seconds > 0),
       enabled boolean NOT NULL DEFAULT true,
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       CHECK ((kind = 'DEVICE_POOL') = (carrier_account_id IS NULL)),
       CHECK ((cost_per_segment_minor IS NULL) = (cost_currency IS NULL))`,
      app,
    );
    await runner.query(`CREATE INDEX routes_by_org ON routes (org_id, priority, id)`);
    await createTenantTable(
      runner,
      'route_daily_usage',
      `route_id uuid NOT NULL REFERENCES routes (id) ON DELETE CASCADE,
       day date NOT NULL,
       segments integer NOT NULL,
       PRIMARY KEY (route_id, day)`,
      app,
    );
    await createTenantTable(
      runner,
      'message_route_attempts',
      `message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
       attempt integer NOT NULL,
       route_id uuid,
       route_kind text NOT NULL CHECK (route_kind IN ('DEVICE_POOL', 'TWILIO', 'TELNYX')),
       started_at timestamptz NOT NULL,
       ended_at timestamptz,
       outcome text NOT NULL CHECK (outcome IN ('PENDING', 'WITHDRAWING', 'WITHDRAWN', 'FAILED', 'SUCCEEDED')),
       error_code text,
       error_raw_code text,
       error_raw_message text,
       PRIMARY KEY (message_id, attempt)`,
      app,
    );
    // Carrier health: a route's attempts of the last minutes.
    await runner.query(
      `CREATE INDEX message_route_attempts_by_route ON message_route_attempts (org_id, route_id, started_at)`,
    );
    await runner.query(`ALTER TABLE messages DROP CONSTRAINT messages_route_check`);
    await runner.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_route_check
         CHECK (route IN ('DEVICE', 'CARRIER', 'GHL', 'TWILIO', 'TELNYX'))`,
    );
    await runner.query(`ALTER TABLE scheduled_jobs DROP CONSTRAINT scheduled_jobs_kind_check`);
    await runner.query(
      `ALTER TABLE scheduled_jobs ADD CONSTRAINT scheduled_jobs_kind_check
         CHECK (kind IN ('dispatch', 'expire', 'route-deadline'))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM scheduled_jobs WHERE kind = 'route-deadline'`);
    await runner.query(`ALTER TABLE scheduled_jobs DROP CONSTRAINT scheduled_jobs_kind_check`);
    await runner.query(
      `ALTER TABLE scheduled_jobs ADD CONSTRAINT scheduled_jobs_kind_check CHECK (kind IN ('dispatch', 'expire'))`,
    );
    await runner.query(`ALTER TABLE messages DROP CONSTRAINT messages_route_check`);
    await runner.query(
      `ALTER TABLE messages ADD CONSTRAINT messages_route_check CHECK (route IN ('DEVICE', 'CARRIER', 'GHL'))`,
    );
    await runner.query(`DROP TABLE message_route_attempts, route_daily_usage, routes`);
  }
}
