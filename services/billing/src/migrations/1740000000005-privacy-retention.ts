import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createPrivacyTables } from '@switchboard/privacy';
import { createRetentionTables } from '@switchboard/retention';
import { appRoleOf } from '@switchboard/tenancy';

/**
 * Billing as a privacy participant (libs/privacy: `privacy_tasks`, `privacy_task_queue`) and a
 * retention job for its event tables (libs/retention: `retention_policies`).
 */
export class PrivacyRetention1740000000005 implements MigrationInterface {
  name = 'PrivacyRetention1740000000005';

  async up(runner: QueryRunner): Promise<void> {
    await createPrivacyTables(runner, appRoleOf());
    await createRetentionTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE privacy_task_queue, privacy_tasks, retention_policies`);
  }
}
