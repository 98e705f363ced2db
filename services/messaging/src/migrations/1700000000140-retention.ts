import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionTables } from '@switchboard/retention';
import { appRoleOf } from '@switchboard/tenancy';
import { FINAL_AT_SQL } from '../retention/final-at';

/**
 * Retention: `messages.body_redacted_at` (when the retention job removed the body and media
 * URLs), an index on each message's final time (the job's batches are index range scans at
 * any table size) and `retention_policies` (libs/retention: the projection of the
 * organizations' retention periods).
 */
export class Retention1700000000140 implements MigrationInterface {
  name = 'Retention1700000000140';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE messages ADD COLUMN body_redacted_at timestamptz`);
    await runner.query(`CREATE INDEX messages_by_final_at ON messages (org_id, (${FINAL_AT_SQL}))`);
    await runner.query(
      `CREATE INDEX messages_body_to_redact ON messages (org_id, (${FINAL_AT_SQL}))
        WHERE body_redacted_at IS NULL`,
    );
    await createRetentionTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE retention_policies`);
    await runner.query(`DROP INDEX messages_body_to_redact`);
    await runner.query(`DROP INDEX messages_by_final_at`);
    await runner.query(`ALTER TABLE messages DROP COLUMN body_redacted_at`);
  }
}
