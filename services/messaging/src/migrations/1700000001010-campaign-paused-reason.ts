import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `campaigns.paused_reason`: why the runner paused a campaign itself — its sender can no longer
 * send (`UNKNOWN_ROUTE`: the route was deleted or disabled; `UNKNOWN_SENDER`: its number left the
 * route). Null for a campaign paused by a user or not paused; cleared by any status change.
 */
export class CampaignPausedReason1700000001010 implements MigrationInterface {
  name = 'CampaignPausedReason1700000001010';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE campaigns ADD COLUMN paused_reason text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE campaigns DROP COLUMN paused_reason`);
  }
}
