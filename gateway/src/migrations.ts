import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  createRateLimitTable,
  createTokenBucketTable,
  DEFAULT_RATE_LIMIT_TABLE,
  rateLimitTableMigration,
} from '@switchboard/rate-limit';
import { appRoleOf } from '@switchboard/tenancy';
import { EDGE_BUCKETS_TABLE } from './edge-rate-limit';

/** The edge limits as token buckets (one upsert a request instead of a log of every request). */
export class EdgeRateBuckets1700000000001 implements MigrationInterface {
  name = 'EdgeRateBuckets1700000000001';

  async up(runner: QueryRunner): Promise<void> {
    await createTokenBucketTable(runner, appRoleOf(), EDGE_BUCKETS_TABLE);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE ${EDGE_BUCKETS_TABLE}`);
  }
}

/**
 * Drops rate_limit_hits, the sliding-window log the edge limits used before the token buckets:
 * nothing reads or writes it since EdgeRateBuckets, and its rows (IP-keyed) need not linger.
 */
export class DropRateLimitHits1700000000002 implements MigrationInterface {
  name = 'DropRateLimitHits1700000000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS ${DEFAULT_RATE_LIMIT_TABLE}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await createRateLimitTable(runner, appRoleOf());
  }
}

/**
 * The gateway's own database: the table its edge limits are counted in (edge_rate_buckets). The
 * first migration's sliding-window log is dropped again by the third; both stay in the list so
 * a database migrated by an earlier version ends up the same as a new one.
 */
export const gatewayMigrations = [
  rateLimitTableMigration(1700000000000),
  EdgeRateBuckets1700000000001,
  DropRateLimitHits1700000000002,
];
