import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf } from '@switchboard/tenancy';

/**
 * A closed organization's fleet stops (accounts.organization.v1 → OrganizationConsumer): the
 * tenants list, still ids only, says since when an organization is closed, and its purge
 * deletes its row.
 */
export class OrganizationClosure1720000000001 implements MigrationInterface {
  name = 'OrganizationClosure1720000000001';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await runner.query(`ALTER TABLE tenants ADD COLUMN closed_at timestamptz`);
    await runner.query(`GRANT UPDATE (closed_at), DELETE ON tenants TO ${app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await runner.query(`REVOKE UPDATE (closed_at), DELETE ON tenants FROM ${app}`);
    await runner.query(`ALTER TABLE tenants DROP COLUMN closed_at`);
  }
}
