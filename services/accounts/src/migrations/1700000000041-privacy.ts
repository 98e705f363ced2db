import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createPrivacyTables } from '@switchboard/privacy';
import { appRoleOf } from '@switchboard/tenancy';

/** Privacy requests (libs/privacy): `privacy_tasks` and the worker's `privacy_task_queue`. */
export class Privacy1700000000041 implements MigrationInterface {
  name = 'Privacy1700000000041';

  async up(runner: QueryRunner): Promise<void> {
    await createPrivacyTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE privacy_task_queue, privacy_tasks`);
  }
}
