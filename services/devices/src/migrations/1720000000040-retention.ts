import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionTables } from '@switchboard/retention';
import { appRoleOf } from '@switchboard/tenancy';
import { FINAL_AT_SQL } from '../retention/final-at';

/**
 * Retention: `device_messages.body_redacted_at` (when the retention job emptied the body), an
 * index on each row's final time, and `retention_policies` (libs/retention), seeded with the
 * organizations the service already knows (`tenants`) so they get the defaults at once.
 */
export class Retention1720000000040 implements MigrationInterface {
  name = 'Retention1720000000040';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE device_messages ADD COLUMN body_redacted_at timestamptz`);
    await runner.query(
      `CREATE INDEX device_messages_by_final_at ON device_messages (org_id, (${FINAL_AT_SQL}))`,
    );
    await createRetentionTables(runner, appRoleOf());
    await runner.query(
      `INSERT INTO retention_policies (tenant_id) SELECT id FROM tenants ON CONFLICT DO NOTHING`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE retention_policies`);
    await runner.query(`DROP INDEX device_messages_by_final_at`);
    await runner.query(`ALTER TABLE device_messages DROP COLUMN body_redacted_at`);
  }
}
