import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A downgrade waits for the period boundary: `pending_plan_id` (in the core table) gets its
 * time, `pending_plan_at`; the boundary job finds the due ones by it.
 */
export class PlanChanges1740000000003 implements MigrationInterface {
  name = 'PlanChanges1740000000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE organization_plans ADD COLUMN pending_plan_at timestamptz`);
    await runner.query(
      `ALTER TABLE organization_plans ADD CONSTRAINT organization_plans_pending_at
         CHECK ((pending_plan_id IS NULL) = (pending_plan_at IS NULL))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE organization_plans DROP CONSTRAINT organization_plans_pending_at,
         DROP COLUMN pending_plan_at`,
    );
  }
}
