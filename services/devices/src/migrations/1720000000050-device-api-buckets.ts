import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTokenBucketTable } from '@switchboard/rate-limit';
import { appRoleOf } from '@switchboard/tenancy';

/**
 * The device API's limit per device becomes a token bucket (`device_api_buckets`, one row per
 * device, keys `device:<id>`): one upsert a request instead of an advisory lock, a read of the
 * window's rows and an insert (issue 17: every pull of a phone paid them). Registrations keep
 * their sliding windows in `rate_limit_hits`; the device API's rows there go.
 */
export class DeviceApiBuckets1720000000050 implements MigrationInterface {
  name = 'DeviceApiBuckets1720000000050';

  async up(runner: QueryRunner): Promise<void> {
    await createTokenBucketTable(runner, appRoleOf(), 'device_api_buckets');
    await runner.query(`DELETE FROM rate_limit_hits WHERE action = 'device-api'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE device_api_buckets`);
  }
}
