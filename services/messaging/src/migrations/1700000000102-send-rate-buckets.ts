import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRateLimitTable, createTokenBucketTable } from '@switchboard/rate-limit';
import { appRoleOf } from '@switchboard/tenancy';

/**
 * The send limit becomes a token bucket per organization (`send_rate_buckets`, one row each,
 * keys `org:<id>`): one upsert per send instead of a lock, a read of up to BURST rows and an
 * insert. The per-send rows of `rate_limit_hits` go with it.
 */
export class SendRateBuckets1700000000102 implements MigrationInterface {
  name = 'SendRateBuckets1700000000102';

  async up(runner: QueryRunner): Promise<void> {
    await createTokenBucketTable(runner, appRoleOf(), 'send_rate_buckets');
    await runner.query(`DROP TABLE rate_limit_hits`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await createRateLimitTable(runner, appRoleOf(), 'rate_limit_hits');
    await runner.query(`DROP TABLE send_rate_buckets`);
  }
}
