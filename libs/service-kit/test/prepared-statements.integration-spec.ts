// The pool DatabaseModule gives a service runs recurring parameterized statements prepared
// (issue 17): checked on real PostgreSQL, through the DataSource a service injects, with the
// server's own list of a connection's prepared statements (pg_prepared_statements).
import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import { createTestDatabase, type TestDatabase } from '@switchboard/testing';
import { DatabaseModule } from '@switchboard/service-kit';

const FIND = 'SELECT * FROM notes WHERE id = $1';
const COUNT = 'SELECT count(*)::int AS n FROM notes WHERE id > $1';
const OTHER = 'SELECT body FROM notes WHERE id = $1';
/** PostgreSQL's "cached plan must not change result type", in any server language. */
const RESULT_TYPE_CHANGED = { code: '0A000', routine: 'RevalidateCachedQuery' };

describe('DatabaseModule: recurring statements run prepared', () => {
  let db: TestDatabase;
  const closers: (() => Promise<void>)[] = [];

  async function owner(sql: string): Promise<void> {
    const client = new Client({ connectionString: db.ownerUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async function dataSourceWith(preparedStatements?: number): Promise<DataSource> {
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: db.appUrl, poolSize: 2, preparedStatements })],
    }).compile();
    await moduleRef.init();
    closers.push(() => moduleRef.close());
    return moduleRef.get(DataSource);
  }

  /** One connection of the pool, for statements and what it has prepared. */
  async function connectionOf(dataSource: DataSource): Promise<QueryRunner> {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    closers.push(() => runner.release());
    return runner;
  }

  async function preparedOn(runner: QueryRunner): Promise<string[]> {
    const rows: { statement: string }[] = await runner.query(
      'SELECT statement FROM pg_prepared_statements ORDER BY statement',
    );
    return rows.map((r) => r.statement);
  }

  beforeAll(async () => {
    db = await createTestDatabase('accounts');
    const app = new URL(db.appUrl).username;
    await owner(`
      CREATE TABLE notes (id int PRIMARY KEY, org_id uuid NOT NULL, body text NOT NULL);
      ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant ON notes
        USING (org_id = nullif(current_setting('app.org_id', true), '')::uuid);
      GRANT SELECT, INSERT ON notes TO "${app}";
    `);
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('prepares a parameterized statement the second time it runs, with the same answers', async () => {
    const runner = await connectionOf(await dataSourceWith());
    const before = await runner.query(COUNT, [0]);
    expect(await preparedOn(runner)).toEqual([]);
    expect(await runner.query(COUNT, [0])).toEqual(before);
    expect(await preparedOn(runner)).toEqual([COUNT]);
    await runner.query('SELECT count(*) FROM notes');
    await runner.query('SELECT count(*) FROM notes');
    expect(await preparedOn(runner)).toEqual([COUNT]);
  });

  it('prepares at most DATABASE_PREPARED_STATEMENTS texts, none with 0', async () => {
    const one = await connectionOf(await dataSourceWith(1));
    for (const sql of [COUNT, COUNT, OTHER, OTHER, COUNT, OTHER]) await one.query(sql, [1]);
    expect(await preparedOn(one)).toEqual([COUNT]);

    const none = await connectionOf(await dataSourceWith(0));
    for (const sql of [COUNT, COUNT, COUNT]) await none.query(sql, [1]);
    expect(await preparedOn(none)).toEqual([]);
  });

  it('keeps each transaction to its tenant once PostgreSQL plans the statement generically', async () => {
    const dataSource = await dataSourceWith();
    const [a, b] = [randomUUID(), randomUUID()];
    await inTenantTransaction(dataSource, a, (m) =>
      m.query('INSERT INTO notes VALUES ($1, $2, $3)', [1, a, 'of a']),
    );
    await inTenantTransaction(dataSource, b, (m) =>
      m.query('INSERT INTO notes VALUES ($1, $2, $3)', [2, b, 'of b']),
    );
    // More than five runs: PostgreSQL's plan cache then tries its generic plan.
    for (let run = 0; run < 8; run++) {
      for (const [org, body] of [
        [a, 'of a'],
        [b, 'of b'],
      ]) {
        const rows: { body: string }[] = await inTenantTransaction(dataSource, org, (m) =>
          m.query('SELECT body FROM notes WHERE id > $1 ORDER BY id', [0]),
        );
        expect(rows.map((r) => r.body)).toEqual([body]);
      }
    }
    const runner = await connectionOf(dataSource);
    expect(await preparedOn(runner)).toContain('SELECT body FROM notes WHERE id > $1 ORDER BY id');
  });

  it('prepares a statement anew on a connection after each migration that changed its columns', async () => {
    const dataSource = await dataSourceWith();
    const org = randomUUID();
    const runner = await connectionOf(dataSource);
    await runner.query(`SELECT set_config('app.org_id', $1, false)`, [org]);
    await runner.query('INSERT INTO notes VALUES ($1, $2, $3)', [10, org, 'kept']);
    await runner.query(FIND, [10]);
    await runner.query(FIND, [10]);
    expect(await preparedOn(runner)).toContain(FIND);

    await owner(`ALTER TABLE notes ADD COLUMN stars int NOT NULL DEFAULT 3`);
    // PostgreSQL refuses the statement prepared before, once, on this connection (told by code
    // and routine, as the client does: the message depends on the server's language) ...
    await expect(runner.query(FIND, [10])).rejects.toMatchObject(RESULT_TYPE_CHANGED);
    // ... which then prepares it under another name and answers with the new column.
    expect(await runner.query(FIND, [10])).toEqual([
      { id: 10, org_id: org, body: 'kept', stars: 3 },
    ]);
    expect((await preparedOn(runner)).filter((s) => s === FIND)).toHaveLength(2);

    // And again after the next one.
    await owner(`ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false`);
    await expect(runner.query(FIND, [10])).rejects.toMatchObject(RESULT_TYPE_CHANGED);
    expect(await runner.query(FIND, [10])).toEqual([
      { id: 10, org_id: org, body: 'kept', stars: 3, pinned: false },
    ]);
    expect((await preparedOn(runner)).filter((s) => s === FIND)).toHaveLength(3);
  });
});
