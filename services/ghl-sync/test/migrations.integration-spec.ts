// The schema as the service's application role sees it: tenant isolation on every table of an
// organization's data; the global table reviewed with their reason.
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { TENANTS_GLOBAL_TABLES } from '@switchboard/tenancy';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
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
  let db: MigratedTestDatabase;
  let app: Client;

  beforeAll(async () => {
    db = await createMigratedTestDatabase('ghl_sync', migrate);
    app = db.app;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('isolates every tenant table', async () => {
    expect(await db.isolationProblems(GLOBAL_TABLES)).toEqual([]);
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
