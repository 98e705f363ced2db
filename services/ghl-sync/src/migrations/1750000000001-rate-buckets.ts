import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTokenBucketTable } from '@switchboard/rate-limit';
import { appRoleOf } from '@switchboard/tenancy';

/**
 * `ghl_rate_buckets`: the GHL rate limits per location (burst and daily token buckets, libs/
 * rate-limit), shared by every replica. Global like the limiter tables: the key names the GHL
 * location, the rows hold counts only.
 */
export class GhlRateBuckets1750000000001 implements MigrationInterface {
  name = 'GhlRateBuckets1750000000001';

  async up(runner: QueryRunner): Promise<void> {
    await createTokenBucketTable(runner, appRoleOf(), 'ghl_rate_buckets');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS ghl_rate_buckets`);
  }
}
