// The two ways into a transaction, against PostgreSQL through the application role: with the
// tenant known (inTenantTransaction) and without one, entering it when found
// (inGlobalTransaction), each with a service's other row-level security settings.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import {
  createTenantTable,
  inGlobalTransaction,
  inTenantTransaction,
  rows,
  setRlsSetting,
} from '@switchboard/tenancy';

const APP_ROLE = 'accounts_app';

describe('tenant and global transactions', () => {
  let db: TestDatabase;
  let app: DataSource;
  const orgA = randomUUID();
  const orgB = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await createTenantTable(owner, 'notes', 'id uuid PRIMARY KEY, text text NOT NULL', APP_ROLE);
    await owner.end();
    // One connection: every transaction below reuses it, so nothing may leak between them.
    app = new DataSource({ type: 'postgres', url: db.appUrl, extra: { max: 1 } });
    await app.initialize();
    for (const [org, text] of [
      [orgA, 'a note of A'],
      [orgB, 'a note of B'],
    ]) {
      await inTenantTransaction(app, org, (tx) =>
        tx.query('INSERT INTO notes (org_id, id, text) VALUES ($1, $2, $3)', [
          org,
          randomUUID(),
          text,
        ]),
      );
    }
  });

  afterAll(async () => {
    await app?.destroy();
    await db?.drop();
  });

  const setting = async (tx: { query: DataSource['query'] }, name: string) =>
    (await rows<{ v: string | null }>(tx, `SELECT current_setting($1, true) AS v`, [name]))[0].v;

  it('inTenantTransaction: the tenant and the given settings, for this transaction only', async () => {
    const seen = await inTenantTransaction(
      app,
      orgA,
      async (tx) => ({
        notes: await rows<{ text: string }>(tx, 'SELECT text FROM notes'),
        user: await setting(tx, 'app.user_id'),
      }),
      { 'app.user_id': 'user-1' },
    );
    expect(seen).toEqual({ notes: [{ text: 'a note of A' }], user: 'user-1' });
    const after = await inGlobalTransaction(app, (tx) => setting(tx, 'app.user_id'));
    expect(after ?? '').toBe('');
  });

  it('inGlobalTransaction: no tenant row until the work enters the tenant it found', async () => {
    const seen = await inGlobalTransaction(
      app,
      async (tx, enterTenant) => {
        const before = await rows(tx, 'SELECT text FROM notes');
        const hash = await setting(tx, 'app.token_hash');
        await enterTenant(orgB);
        const inB = await rows<{ text: string }>(tx, 'SELECT text FROM notes');
        await enterTenant(orgA);
        const inA = await rows<{ text: string }>(tx, 'SELECT text FROM notes');
        return { before, hash, inB, inA };
      },
      { 'app.token_hash': 'abc' },
    );
    expect(seen).toEqual({
      before: [],
      hash: 'abc',
      inB: [{ text: 'a note of B' }],
      inA: [{ text: 'a note of A' }],
    });
    // The next transaction on the same connection starts without a tenant again.
    expect(await inGlobalTransaction(app, (tx) => rows(tx, 'SELECT text FROM notes'))).toEqual([]);
  });

  it('refuses a tenant that is not a UUID, and the tenant as a plain setting', async () => {
    await expect(
      inGlobalTransaction(app, (_tx, enterTenant) => enterTenant('not-a-uuid')),
    ).rejects.toThrow(/organization/);
    await expect(
      inGlobalTransaction(app, (tx) => setRlsSetting(tx, 'app.org_id', orgA)),
    ).rejects.toThrow(/tenant/);
    await expect(
      inGlobalTransaction(app, (tx) => setRlsSetting(tx, "x'); DROP TABLE notes; --", 'v')),
    ).rejects.toThrow(/not a setting name/);
  });
});
