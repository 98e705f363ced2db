import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTokenBucketTable, rateLimitTableMigration } from '@switchboard/rate-limit';
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
 * The gateway's own database: the tables its rate limits are counted in — edge_rate_buckets
 * (the edge limits) and rate_limit_hits (the earlier sliding-window log, kept for a rollback).
 */
export const gatewayMigrations = [
  rateLimitTableMigration(1700000000000),
  EdgeRateBuckets1700000000001,
];
