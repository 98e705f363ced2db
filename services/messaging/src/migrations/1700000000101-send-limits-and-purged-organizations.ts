import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRateLimitTable } from '@switchboard/rate-limit';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * - `rate_limit_hits`: the per-organization send limit's table (@switchboard/rate-limit; keys
 *   `org:<id>`, one row per send let through, pruned after the window). Cross-tenant like the
 *   scheduler queue: ids and times only.
 * - `purged_organizations`: the organizations accounts purged. Their projection row is deleted
 *   with their data, so without this an inbound SMS from a purged organization's phone would
 *   look like one of an organization not known yet. Only the id and the time are kept.
 */
export class SendLimitsAndPurgedOrganizations1700000000101 implements MigrationInterface {
  name = 'SendLimitsAndPurgedOrganizations1700000000101';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createRateLimitTable(runner, app, 'rate_limit_hits');
    await createTenantTable(
      runner,
      'purged_organizations',
      `purged_at timestamptz NOT NULL, PRIMARY KEY (org_id)`,
      app,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE purged_organizations`);
    await runner.query(`DROP TABLE rate_limit_hits`);
  }
}
