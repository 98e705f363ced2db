// The schema as the service's application role sees it: tenant isolation on every table of an
// organization's data; the global table reviewed with their reason.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { checkTenantIsolation, TENANTS_GLOBAL_TABLES } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';

const GLOBAL_TABLES: Record<string, string> = {
  ...TENANTS_GLOBAL_TABLES,
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
  ghl_rate_buckets:
    'GHL rate-limit token buckets per location (counts only), shared by every replica',
  webhook_receipts:
    'ids of the GHL app webhooks seen (replay protection), deduplicated before the tenant is known',
};

describe('ghl-sync migrations', () => {
  let db: TestDatabase;
  let app: Client;

  beforeAll(async () => {
    db = await createTestDatabase('ghl_sync');
    process.env.DATABASE_URL = db.appUrl;
    await migrate(db.ownerUrl, db.appUrl);
    app = new Client({ connectionString: db.appUrl });
    await app.connect();
  });

  afterAll(async () => {
    await app?.end();
    await db?.drop();
  });

  it('isolates every tenant table', async () => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    try {
      const roleName = new URL(db.appUrl).username;
      expect(await checkTenantIsolation(owner, roleName, GLOBAL_TABLES)).toEqual([]);
    } finally {
      await owner.end();
    }
  });

  it('shows no installation without a tenant, and none of another tenant', async () => {
    const org = randomUUID();
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
    await app.query(
      `INSERT INTO installations (org_id, id, user_type, company_id, location_id, status, installed_at, updated_at)
       VALUES ($1, $2, 'Location', 'c1', 'l1', 'ACTIVE', now(), now())`,
      [org, randomUUID()],
    );
    await app.query('COMMIT');
    expect((await app.query('SELECT * FROM installations')).rows).toEqual([]);
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.org_id', $1, true)`, [randomUUID()]);
    expect((await app.query('SELECT * FROM installations')).rows).toEqual([]);
    await app.query('COMMIT');
  });
});
