import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Usage to report to Stripe's metered billing: one row per captured message with overage
 * segments of an organization with a subscription (primary key: the message — enqueued once),
 * marked when Stripe accepted it (meter event identifier `message:<id>`: Stripe dedupes).
 */
export class MeterEvents1740000000002 implements MigrationInterface {
  name = 'MeterEvents1740000000002';

  async up(runner: QueryRunner): Promise<void> {
    await createTenantTable(
      runner,
      'stripe_meter_events',
      `message_id uuid NOT NULL,
       value integer NOT NULL CHECK (value > 0),
       occurred_at timestamptz NOT NULL,
       reported_at timestamptz,
       PRIMARY KEY (org_id, message_id)`,
      appRoleOf(),
    );
    await runner.query(
      `CREATE INDEX stripe_meter_events_pending ON stripe_meter_events (org_id, occurred_at) WHERE reported_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE stripe_meter_events`);
  }
}
