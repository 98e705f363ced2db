// Row-level security through the application role, as every service uses it.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import {
  checkTenantIsolation,
  createTenantCheck,
  createTenantTable,
  inTenantTransaction,
  runAsTenant,
  inCurrentTenantTransaction,
} from '@switchboard/tenancy';

const APP_ROLE = 'accounts_app';

describe('tenant isolation in PostgreSQL', () => {
  let db: TestDatabase;
  let app: DataSource;
  const orgA = randomUUID();
  const orgB = randomUUID();
  let rowOfA: string;

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await createTenantTable(owner, 'notes', 'id uuid PRIMARY KEY, text text NOT NULL', APP_ROLE);
    // Deliberately without `org_id = tenant`: row-level security alone must scope it.
    await createTenantCheck(
      owner,
      'has_note',
      { wanted: 'text' },
      `EXISTS (SELECT 1 FROM notes WHERE text = wanted)`,
      APP_ROLE,
    );
    await owner.end();
    // A small pool so the same physical connections are reused across tenants.
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 2 } });
    await app.initialize();
    rowOfA = randomUUID();
    await inTenantTransaction(app, orgA, (m) =>
      m.query('INSERT INTO notes (org_id, id, text) VALUES ($1, $2, $3)', [orgA, rowOfA, 'of A']),
    );
    await inTenantTransaction(app, orgB, (m) =>
      m.query('INSERT INTO notes (org_id, id, text) VALUES ($1, $2, $3)', [
        orgB,
        randomUUID(),
        'of B',
      ]),
    );
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  it('answers a tenant check as that tenant, outside or inside a transaction, for the app role only', async () => {
    const check = async (runner: { query: DataSource['query'] }, org: string, text: string) =>
      (
        (await runner.query(`SELECT has_note($1::uuid, $2) AS yes`, [org, text])) as {
          yes: boolean;
        }[]
      )[0].yes;
    expect(await check(app, orgA, 'of A')).toBe(true);
    expect(await check(app, orgB, 'of A')).toBe(false); // another tenant's row: not seen
    // Inside a tenant transaction: it answers for its tenant and gives the caller's back.
    await inTenantTransaction(app, orgB, async (m) => {
      expect(await check(m, orgA, 'of A')).toBe(true);
      expect(await m.query('SELECT text FROM notes')).toEqual([{ text: 'of B' }]);
    });
    // Outside a transaction the tenant it set does not outlive the statement.
    expect(await app.query(`SELECT count(*)::int AS n FROM notes`)).toEqual([{ n: 0 }]);
    // Nobody else may call it.
    expect(
      await app.query(
        `SELECT has_function_privilege('public', 'has_note(uuid, text)', 'EXECUTE') AS public,
                has_function_privilege($1, 'has_note(uuid, text)', 'EXECUTE') AS app`,
        [APP_ROLE],
      ),
    ).toEqual([{ public: false, app: true }]);
  });

  it('shows a tenant its own rows only', async () => {
    const rows = await inTenantTransaction(app, orgA, (m) =>
      m.query('SELECT org_id, text FROM notes'),
    );
    expect(rows).toEqual([{ org_id: orgA, text: 'of A' }]);
  });

  it("does not let tenant B read, change or delete tenant A's row", async () => {
    await inTenantTransaction(app, orgB, async (m) => {
      expect(await m.query('SELECT * FROM notes WHERE id = $1', [rowOfA])).toEqual([]);
      const [, updated] = await m.query("UPDATE notes SET text = 'taken' WHERE id = $1", [rowOfA]);
      expect(updated).toBe(0);
      const [, deleted] = await m.query('DELETE FROM notes WHERE id = $1', [rowOfA]);
      expect(deleted).toBe(0);
    });
    const rows = await inTenantTransaction(app, orgA, (m) =>
      m.query('SELECT text FROM notes WHERE id = $1', [rowOfA]),
    );
    expect(rows).toEqual([{ text: 'of A' }]);
  });

  it("does not let tenant B write rows into tenant A's organization", async () => {
    await expect(
      inTenantTransaction(app, orgB, (m) =>
        m.query('INSERT INTO notes (org_id, id, text) VALUES ($1, $2, $3)', [
          orgA,
          randomUUID(),
          'forged',
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      inTenantTransaction(app, orgB, (m) =>
        m.query('UPDATE notes SET org_id = $1 WHERE org_id = $2', [orgA, orgB]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('shows nothing without a tenant, also on a connection that served a tenant before', async () => {
    for (let i = 0; i < 4; i++) {
      expect(await app.query('SELECT * FROM notes')).toEqual([]);
      await inTenantTransaction(app, orgA, (m) => m.query('SELECT 1'));
    }
    await expect(
      app.query('INSERT INTO notes (org_id, id, text) VALUES ($1, $2, $3)', [
        orgA,
        randomUUID(),
        'x',
      ]),
    ).rejects.toThrow(/row-level security/);
  });

  it('takes the tenant from the request context and fails closed without one', async () => {
    const rows = await runAsTenant(orgB, () =>
      inCurrentTenantTransaction(app, (m) => m.query('SELECT text FROM notes')),
    );
    expect(rows).toEqual([{ text: 'of B' }]);
    expect(() => inCurrentTenantTransaction(app, (m) => m.query('SELECT 1'))).toThrow(
      /organization/,
    );
    await expect(
      inTenantTransaction(app, 'not-a-uuid', (m) => m.query('SELECT 1')),
    ).rejects.toMatchObject({ code: 'TENANT_REQUIRED' });
  });

  it('passes the isolation check, and the check catches a table without forced RLS', async () => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    try {
      expect(await checkTenantIsolation(owner, APP_ROLE, {})).toEqual([]);
      await owner.query('CREATE TABLE leaky (org_id uuid NOT NULL, secret text)');
      await owner.query('ALTER TABLE leaky ENABLE ROW LEVEL SECURITY');
      expect(await checkTenantIsolation(owner, APP_ROLE, {})).toEqual([
        'leaky: row-level security is not forced',
        'leaky: has no policy',
      ]);
      await owner.query('DROP TABLE leaky');
    } finally {
      await owner.end();
    }
  });

  it('fails for a table without org_id unless it is on the reviewed list of global tables', async () => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    try {
      // A tenant's data keyed some other way: before, only org_id tables were looked at.
      await owner.query('CREATE TABLE contacts (tenant uuid NOT NULL, phone text NOT NULL)');
      await owner.query('CREATE SCHEMA reporting');
      await owner.query('CREATE TABLE reporting.daily (org_id uuid NOT NULL, sent int)');
      await owner.query('CREATE VIEW note_texts AS SELECT org_id, text FROM notes');
      expect(await checkTenantIsolation(owner, APP_ROLE, {})).toEqual([
        'contacts: table without org_id that is not on the list of global tables',
        'note_texts: view without security_invoker (it reads as its owner, past RLS)',
        'reporting.daily: row-level security is not enabled',
        'reporting.daily: row-level security is not forced',
        'reporting.daily: has no policy',
      ]);

      await owner.query('DROP SCHEMA reporting CASCADE');
      await owner.query('ALTER VIEW note_texts SET (security_invoker = true)');
      expect(
        await checkTenantIsolation(owner, APP_ROLE, {
          contacts: 'test fixture: phone numbers shared by every tenant',
        }),
      ).toEqual([]);

      // The list stays honest: no stale entries, no tenant tables, a reason on each.
      expect(
        await checkTenantIsolation(owner, APP_ROLE, {
          contacts: '',
          notes: 'looks global to someone',
          gone: 'a table dropped long ago',
        }),
      ).toEqual([
        'notes: listed as global but has an org_id column (isolate it instead)',
        'contacts: listed as global without a one-line reason',
        'gone: listed as global but there is no such table',
      ]);

      // The libs' own event and migration tables are known globals.
      await owner.query('CREATE TABLE schema_migrations (id serial PRIMARY KEY, name text)');
      expect(
        await checkTenantIsolation(owner, APP_ROLE, { contacts: 'test fixture: shared' }),
      ).toEqual([]);
      await owner.query('DROP TABLE schema_migrations, contacts');
      await owner.query('DROP VIEW note_texts');
    } finally {
      await owner.end();
    }
  });
});
