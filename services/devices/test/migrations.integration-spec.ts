// The schema as the service's application role sees it: tenant isolation everywhere, and the
// credential lookup that works before the organization is known.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { checkTenantIsolation } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';

/**
 * The devices tables that are not tenant tables, reviewed. A new table is a tenant table
 * (org_id + RLS) unless it is added here with its reason.
 */
const GLOBAL_TABLES = {
  tenants:
    'ids of the organizations with a fleet (and since when one is closed), so the sweep knows whose transactions to open',
  rate_limit_hits:
    'libs/rate-limit: per-IP and per-token registration limits count across organizations; rows are only counted',
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('devices migrations', () => {
  let db: TestDatabase;
  let app: Client;

  beforeAll(async () => {
    db = await createTestDatabase('devices');
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
      expect(await checkTenantIsolation(owner, 'devices_app', GLOBAL_TABLES)).toEqual([]);
    } finally {
      await owner.end();
    }
  });

  it('shows a credential only to the holder of its token, and never lists them', async () => {
    const org = randomUUID();
    const hash = randomBytes(32);
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
    await app.query(
      `INSERT INTO credentials (org_id, token_hash, kind, subject_id) VALUES ($1, $2, 'device', $3)`,
      [org, hash, randomUUID()],
    );
    await app.query('COMMIT');

    expect((await app.query('SELECT * FROM credentials')).rows).toEqual([]);
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.credential_hash', $1, true)`, [hash.toString('hex')]);
    const found = await app.query('SELECT org_id FROM credentials');
    await app.query('COMMIT');
    expect(found.rows).toEqual([{ org_id: org }]);

    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.credential_hash', $1, true)`, [
      randomBytes(32).toString('hex'),
    ]);
    expect((await app.query('SELECT org_id FROM credentials')).rows).toEqual([]);
    await app.query('COMMIT');
  });

  it('does not let a credential holder write into another organization', async () => {
    const hash = randomBytes(32);
    await app.query('BEGIN');
    await app.query(`SELECT set_config('app.credential_hash', $1, true)`, [hash.toString('hex')]);
    await expect(
      app.query(
        `INSERT INTO credentials (org_id, token_hash, kind, subject_id) VALUES ($1, $2, 'device', $3)`,
        [randomUUID(), hash, randomUUID()],
      ),
    ).rejects.toThrow(/row-level security/);
    await app.query('ROLLBACK');
  });
});
