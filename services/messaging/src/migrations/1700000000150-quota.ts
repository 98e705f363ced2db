import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createQuotaTables } from '@switchboard/quota';
import { appRoleOf } from '@switchboard/tenancy';

/** The projection of billing.quota.v1 for the pre-send quota check (libs/quota): `quota_states`. */
export class Quota1700000000150 implements MigrationInterface {
  name = 'Quota1700000000150';

  async up(runner: QueryRunner): Promise<void> {
    await createQuotaTables(runner, appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE quota_states`);
  }
}
