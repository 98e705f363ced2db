// The migrated messaging database, checked the way an auditor would.
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
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
  campaign_run_queue:
    'the campaign runner queue of every tenant: (campaign id, tenant_id, due time), no content',
  carrier_dispatch_queue:
    'the carrier send queue of every tenant: (message id, attempt, tenant_id, route and account ids, due time, tries), no content',
  media_fetch_queue:
    'the inbound media fetch queue of every tenant: (medium id, tenant_id, carrier account id, due time, tries), no content (the URL stays in the tenant table)',
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('messaging migrations', () => {
  let db: MigratedTestDatabase;

  beforeAll(async () => {
    db = await createMigratedTestDatabase('messaging', migrate);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('isolates every tenant table (RLS enabled, forced, with policies; app role not owner)', async () => {
    expect(db.appRole).toBe(appRole(db.appUrl));
    expect(await db.isolationProblems(GLOBAL_TABLES)).toEqual([]);
  });

  it('is idempotent: migrating again applies nothing', async () => {
    expect(await migrate(db.ownerUrl, db.appUrl)).toEqual([]);
  });
});
