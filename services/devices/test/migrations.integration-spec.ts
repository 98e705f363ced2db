// The schema as the service's application role sees it: tenant isolation everywhere, and the
// credential lookup that works before the organization is known.
import { randomBytes, randomUUID } from 'node:crypto';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { TENANTS_GLOBAL_TABLES } from '@switchboard/tenancy';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';

/**
 * The devices tables that are not tenant tables, reviewed. A new table is a tenant table
 * (org_id + RLS) unless it is added here with its reason.
 */
const GLOBAL_TABLES = {
  ...TENANTS_GLOBAL_TABLES,
  rate_limit_hits:
    'libs/rate-limit: per-IP and per-token registration limits count across organizations; rows are only counted',
  device_api_buckets:
    'libs/rate-limit: a token bucket per device for the device API, keyed by device id; never shown',
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('devices migrations', () => {
  let db: MigratedTestDatabase;
  let app: MigratedTestDatabase['app'];

  beforeAll(async () => {
    db = await createMigratedTestDatabase('devices', migrate);
    app = db.app;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('isolates every tenant table', async () => {
    expect(db.appRole).toBe('devices_app');
    expect(await db.isolationProblems(GLOBAL_TABLES)).toEqual([]);
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
