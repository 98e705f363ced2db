import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `campaigns.progress_notified_at`: when the last `campaign.progress` customer webhook of the
 * campaign was queued (they go out at most every few seconds, and at every status change).
 */
export class CampaignProgressWebhooks1700000000502 implements MigrationInterface {
  name = 'CampaignProgressWebhooks1700000000502';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE campaigns ADD COLUMN progress_notified_at timestamptz`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE campaigns DROP COLUMN progress_notified_at`);
  }
}
