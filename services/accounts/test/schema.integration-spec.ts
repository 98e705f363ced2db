// The migrated accounts database, checked the way an auditor would.
import { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { checkTenantIsolation } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { appRole, migrate } from '../src/database';

/**
 * The accounts tables that are not tenant tables, reviewed: each holds no organization's data,
 * or data read before any organization is known. A new table is a tenant table (org_id + RLS)
 * unless it is added here with its reason.
 */
const GLOBAL_TABLES = {
  organizations: 'the tenants themselves: slugs are unique across tenants, read at login by slug',
  users: 'a person signs in before choosing an organization and may belong to several',
  user_tokens: "a user's email-verification and password-reset tokens, redeemed before any org",
  signing_keys: 'the JWT signing keys of the platform, one set for every tenant',
  login_attempts: 'login throttling by account and IP, recorded before the organization is known',
  rate_limit_hits: 'per-IP and per-account limits of public mutations, no organization involved',
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('accounts schema', () => {
  let db: TestDatabase;
  let owner: Client;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
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

  it('has an org_id exactly on the tenant tables', async () => {
    const { rows } = await owner.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'org_id' ORDER BY table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'api_tokens',
      'invitations',
      'memberships',
      // libs/privacy: the privacy requests accounts carries out, per organization.
      'privacy_tasks',
      'refresh_tokens',
      'sessions',
    ]);
  });

  it('is idempotent: migrating again applies nothing', async () => {
    expect(await migrate(db.ownerUrl, db.appUrl)).toEqual([]);
  });
});
