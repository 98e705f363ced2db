// The schema as the service's application role sees it: tenant isolation everywhere, and the
// history that cannot be rewritten.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { checkTenantIsolation } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';

/**
 * The compliance tables that are not tenant tables, reviewed. A new table is a tenant table
 * (org_id + RLS) unless it is added here with its reason.
 */
const GLOBAL_TABLES: Record<string, string> = {
  tenants:
    'ids of the organizations compliance holds something for (and since when one is closed), so scheduled jobs know whose transactions to open',
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('compliance migrations', () => {
  let db: TestDatabase;
  let app: Client;

  beforeAll(async () => {
    db = await createTestDatabase('compliance');
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

  it('keeps the suppression history append-only for the application role', async () => {
    const org = randomUUID();
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
    await app.query(
      `INSERT INTO suppression_history (org_id, id, phone_number, kind, source, actor_type, actor_id,
         occurred_at, recorded_at)
       VALUES ($1, $2, '+14155550123', 'OPT_OUT', 'INBOUND_KEYWORD', 'service', 'compliance', now(), now())`,
      [org, randomUUID()],
    );
    await expect(app.query(`UPDATE suppression_history SET reason = 'rewritten'`)).rejects.toThrow(
      /permission denied/,
    );
    await app.query('ROLLBACK');
  });

  it('shows no row without a tenant, and none of another tenant', async () => {
    const org = randomUUID();
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
    await app.query(
      `INSERT INTO suppressions (org_id, phone_number, opted_out, version, updated_at)
       VALUES ($1, '+14155550123', true, 1, now())`,
      [org],
    );
    await app.query('COMMIT');
    expect((await app.query('SELECT * FROM suppressions')).rows).toEqual([]);
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.org_id', $1, true)`, [randomUUID()]);
    expect((await app.query('SELECT * FROM suppressions')).rows).toEqual([]);
    await app.query('COMMIT');
  });
});
