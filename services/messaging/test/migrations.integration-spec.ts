// The migrated messaging database, checked the way an auditor would.
import { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { checkTenantIsolation } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { appRole, migrate } from '../src/database';

/**
 * The messaging tables that are not tenant tables, reviewed. A new table is a tenant table
 * (org_id + RLS) unless it is added here with its reason.
 */
const GLOBAL_TABLES = {
  scheduled_jobs:
    'the scheduler queue of every tenant: (tenant_id, message id, kind, due time), no content',
  send_rate_buckets:
    'the send rate limit, a token bucket per organization: (key org:<id>, tokens, time), no content',
  webhook_delivery_queue:
    'the webhook delivery queue of every tenant: (delivery id, tenant_id, due time), no content',
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('messaging migrations', () => {
  let db: TestDatabase;
  let owner: Client;

  beforeAll(async () => {
    db = await createTestDatabase('messaging');
    process.env.DATABASE_URL ??= db.appUrl;
    await migrate(db.ownerUrl, db.appUrl);
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
  });

  afterAll(async () => {
    await owner?.end();
    await db?.drop();
  });

  it('isolates every tenant table (RLS enabled, forced, with policies; app role not owner)', async () => {
    expect(await checkTenantIsolation(owner, appRole(db.appUrl), GLOBAL_TABLES)).toEqual([]);
  });

  it('is idempotent: migrating again applies nothing', async () => {
    expect(await migrate(db.ownerUrl, db.appUrl)).toEqual([]);
  });
});
