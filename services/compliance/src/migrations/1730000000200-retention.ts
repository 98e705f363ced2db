import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRetentionTables } from '@switchboard/retention';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Retention: `retention_reports`, what every service's retention job did (one row per run,
 * organization and job, from `compliance.retention-report.v1`; platform-level reports under
 * the nil-UUID tenant), and `retention_policies` (libs/retention), the projection compliance's
 * own retention job reads.
 */
export class Retention1730000000200 implements MigrationInterface {
  name = 'Retention1730000000200';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await createTenantTable(
      runner,
      'retention_reports',
      `id uuid PRIMARY KEY,
       run_id uuid NOT NULL,
       service text NOT NULL,
       job text NOT NULL,
       counts jsonb NOT NULL,
       policy jsonb,
       policy_version bigint NOT NULL DEFAULT 0,
       started_at timestamptz NOT NULL,
       finished_at timestamptz NOT NULL,
       recorded_at timestamptz NOT NULL,
       UNIQUE (org_id, run_id, service, job)`,
      app,
    );
    await runner.query(
      `CREATE INDEX retention_reports_by_finished ON retention_reports (org_id, finished_at DESC, id DESC)`,
    );
    await createRetentionTables(runner, app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE retention_policies, retention_reports`);
  }
}
