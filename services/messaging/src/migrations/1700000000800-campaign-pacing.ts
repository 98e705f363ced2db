import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign pacing and live progress (`domain/campaign.ts`):
 * - `planned_rate_per_minute`, `planned_limited_by`: the rate the runner paces the campaign at
 *   (requested, capped by the phones or the carrier's throughput), written by each step, so the
 *   ETA is read from the row;
 * - `rate_slots`, `rate_slot_at`: the "rate now" ring — messages the fan-out created per 5 s
 *   slot over the last minute, newest first, the newest slot starting at `rate_slot_at`.
 */
export class CampaignPacing1700000000800 implements MigrationInterface {
  name = 'CampaignPacing1700000000800';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE campaigns
         ADD COLUMN planned_rate_per_minute integer CHECK (planned_rate_per_minute > 0),
         ADD COLUMN planned_limited_by text CHECK (planned_limited_by IN ('REQUESTED', 'PHONES', 'CARRIER')),
         ADD COLUMN rate_slots integer[] NOT NULL DEFAULT '{}',
         ADD COLUMN rate_slot_at timestamptz`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `ALTER TABLE campaigns DROP COLUMN planned_rate_per_minute, DROP COLUMN planned_limited_by,
         DROP COLUMN rate_slots, DROP COLUMN rate_slot_at`,
    );
  }
}
