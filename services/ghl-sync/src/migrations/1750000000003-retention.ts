import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionTables } from '@switchboard/retention';
import { appRoleOf } from '@switchboard/tenancy';

/** `retention_policies`: ghl-sync's projection of each organization's retention periods. */
export class GhlRetention1750000000003 implements MigrationInterface {
  name = 'GhlRetention1750000000003';

  async up(runner: QueryRunner): Promise<void> {
    await createRetentionTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS retention_policies`);
  }
}
