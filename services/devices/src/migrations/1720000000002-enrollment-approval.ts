import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Enrollment tokens are single-use unless created with `maxUses`; a phone registered with a
 * shared (multi-use) token waits for the organization's approval unless the organization
 * turned that off (device_settings).
 */
export class EnrollmentApproval1720000000002 implements MigrationInterface {
  name = 'EnrollmentApproval1720000000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE enrollment_tokens ADD COLUMN max_uses integer NOT NULL DEFAULT 1 CHECK (max_uses >= 1)`,
    );
    // Tokens from before: no further use than they already had (they were shared by default).
    await runner.query(`UPDATE enrollment_tokens SET max_uses = GREATEST(uses, 1)`);
    await runner.query(`ALTER TABLE devices ADD COLUMN approved boolean NOT NULL DEFAULT true`);
    await runner.query(`CREATE INDEX devices_enrollment ON devices (enrollment_id)`);
    await createTenantTable(
      runner,
      'device_settings',
      `require_approval_for_shared_enrollments boolean NOT NULL DEFAULT true,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id)`,
      appRoleOf(),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE device_settings`);
    await runner.query(`DROP INDEX devices_enrollment`);
    await runner.query(`ALTER TABLE devices DROP COLUMN approved`);
    await runner.query(`ALTER TABLE enrollment_tokens DROP COLUMN max_uses`);
  }
}
