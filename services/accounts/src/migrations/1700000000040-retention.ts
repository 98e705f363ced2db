import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionTables } from '@switchboard/retention';
import { appRoleOf } from '@switchboard/tenancy';

/** `retention_policies` (libs/retention), which the retention job reads; empty in accounts. */
export class Retention1700000000040 implements MigrationInterface {
  name = 'Retention1700000000040';

  async up(runner: QueryRunner): Promise<void> {
    await createRetentionTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE retention_policies`);
  }
}
