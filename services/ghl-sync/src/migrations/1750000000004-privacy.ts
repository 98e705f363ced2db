import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createPrivacyTables } from '@switchboard/privacy';
import { appRoleOf } from '@switchboard/tenancy';

/** `privacy_tasks` and `privacy_task_queue`: ghl-sync's part of privacy requests (libs/privacy). */
export class GhlPrivacy1750000000004 implements MigrationInterface {
  name = 'GhlPrivacy1750000000004';

  async up(runner: QueryRunner): Promise<void> {
    await createPrivacyTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS privacy_task_queue`);
    await runner.query(`DROP TABLE IF EXISTS privacy_tasks`);
  }
}
