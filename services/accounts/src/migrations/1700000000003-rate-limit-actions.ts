import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Databases migrated before the limiter moved to @switchboard/rate-limit listed the allowed
 * actions in a CHECK; the lib's table accepts any non-empty action (the service names them,
 * common/rate-limits.ts). A no-op on a database created since.
 */
export class RateLimitActions1700000000003 implements MigrationInterface {
  name = 'RateLimitActions1700000000003';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE rate_limit_hits DROP CONSTRAINT IF EXISTS rate_limit_hits_action_check;
      ALTER TABLE rate_limit_hits ADD CONSTRAINT rate_limit_hits_action_check CHECK (action <> '')`);
  }

  async down(): Promise<void> {
    // The wider CHECK stays: rows of the newer actions would violate the old list.
  }
}
