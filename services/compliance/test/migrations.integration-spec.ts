// The schema as the service's application role sees it: tenant isolation everywhere, and the
// history that cannot be rewritten.
import { randomUUID } from 'node:crypto';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { TENANTS_GLOBAL_TABLES } from '@switchboard/tenancy';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';

/**
 * The compliance tables that are not tenant tables, reviewed. A new table is a tenant table
 * (org_id + RLS) unless it is added here with its reason.
 */
const GLOBAL_TABLES = {
  ...TENANTS_GLOBAL_TABLES,
  ...RETENTION_GLOBAL_TABLES,
  ...PRIVACY_GLOBAL_TABLES,
};

describe('compliance migrations', () => {
  let db: MigratedTestDatabase;
  let app: MigratedTestDatabase['app'];

  beforeAll(async () => {
    db = await createMigratedTestDatabase('compliance', migrate);
    app = db.app;
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('isolates every tenant table', async () => {
    expect(await db.isolationProblems(GLOBAL_TABLES)).toEqual([]);
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
