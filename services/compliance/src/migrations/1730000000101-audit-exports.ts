import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * `audit_exports`: an export of the audit log an owner asked for (`exportAuditLog`): the
 * filter, who asked and until when the signed download link works. The file is not stored: the
 * download streams the entries from `audit_log` when it is fetched.
 */
export class AuditExports1730000000101 implements MigrationInterface {
  name = 'AuditExports1730000000101';

  async up(runner: QueryRunner): Promise<void> {
    await createTenantTable(
      runner,
      'audit_exports',
      `id uuid NOT NULL,
       filter jsonb NOT NULL,
       requested_by text NOT NULL,
       created_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, id)`,
      appRoleOf(),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit_exports`);
  }
}
