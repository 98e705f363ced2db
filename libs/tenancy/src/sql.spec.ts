import {
  affectedRows,
  isUniqueViolation,
  oncePerTransaction,
  row,
  rows,
  runTogether,
  withReturning,
} from './sql';

const answering = (result: unknown) => ({ query: async () => result });

describe('SQL helpers', () => {
  it('rows: the rows alone, whatever shape the driver answers with', async () => {
    const found = [{ id: 'a' }, { id: 'b' }];
    expect(await rows(answering(found), 'SELECT')).toEqual(found);
    // TypeORM: UPDATE / DELETE ... RETURNING answer [rows, count]
    expect(await rows(answering([found, 2]), 'UPDATE ... RETURNING id')).toEqual(found);
    expect(await rows(answering([[], 0]), 'DELETE ... RETURNING id')).toEqual([]);
    // a pg client
    expect(await rows(answering({ rows: found, rowCount: 2 }), 'SELECT')).toEqual(found);
    // two rows are never mistaken for [rows, count]
    const pair = [{ id: 'a' }, { id: 'b' }];
    expect(await rows(answering(pair), 'SELECT')).toEqual(pair);
  });

  it('row: the first row or undefined', async () => {
    expect(await row(answering([{ id: 'a' }, { id: 'b' }]), 'SELECT')).toEqual({ id: 'a' });
    expect(await row(answering([[{ id: 'c' }], 1]), 'UPDATE')).toEqual({ id: 'c' });
    expect(await row(answering([]), 'SELECT')).toBeUndefined();
  });

  it('oncePerTransaction: one load per transaction and key; another transaction or key loads again, a failure is not kept', async () => {
    const [tx1, tx2] = [{}, {}];
    let loads = 0;
    const load = (answer: string) => async () => {
      loads++;
      return answer;
    };
    expect(await oncePerTransaction(tx1, 'tenant:a', load('open'))).toBe('open');
    expect(await oncePerTransaction(tx1, 'tenant:a', load('closed'))).toBe('open');
    expect(loads).toBe(1);
    expect(await oncePerTransaction(tx1, 'tenant:b', load('closed'))).toBe('closed');
    expect(await oncePerTransaction(tx2, 'tenant:a', load('closed'))).toBe('closed');
    expect(loads).toBe(3);
    const failing = () => Promise.reject(new Error('connection lost'));
    await expect(oncePerTransaction(tx1, 'fleet', failing)).rejects.toThrow('connection lost');
    expect(await oncePerTransaction(tx1, 'fleet', load('[]'))).toBe('[]');
    expect(loads).toBe(4);
  });

  it('affectedRows: the count of an UPDATE or DELETE', async () => {
    expect(await affectedRows(answering([[], 3]), 'UPDATE')).toBe(3);
    expect(await affectedRows(answering({ rows: [], rowCount: 4 }), 'DELETE')).toBe(4);
    expect(await affectedRows(answering([]), 'SELECT')).toBe(0);
  });

  it('passes the statement and its parameters through', async () => {
    const calls: unknown[][] = [];
    const runner = { query: async (...args: unknown[]) => void calls.push(args) };
    await rows(runner, 'SELECT $1', [1]);
    expect(calls).toEqual([['SELECT $1', [1]]]);
  });

  it('isUniqueViolation: 23505 from TypeORM or pg, of one constraint when named', () => {
    const typeorm = { driverError: { code: '23505', constraint: 'users_email_key' } };
    const pg = { code: '23505', constraint: 'users_email_key' };
    expect(isUniqueViolation(typeorm)).toBe(true);
    expect(isUniqueViolation(pg, 'users_email_key')).toBe(true);
    expect(isUniqueViolation(typeorm, 'organizations_slug_key')).toBe(false);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
  });

  it('runTogether: one statement, the others as CTEs of the last, parameters renumbered', async () => {
    const sent: [string, unknown[] | undefined][] = [];
    const runner = {
      query: async (sql: string, values?: unknown[]) => void sent.push([sql, values]),
    };
    await runTogether(runner, [
      { text: 'INSERT INTO a (x, y) VALUES ($1, $2)', values: [1, 2] },
      { text: 'INSERT INTO b (z) VALUES ($1), ($2)', values: [3, 4] },
      { text: 'UPDATE c SET w = $1 WHERE id = $2', values: [5, 6] },
    ]);
    expect(sent).toEqual([
      [
        'WITH together_0 AS (INSERT INTO a (x, y) VALUES ($1, $2)), ' +
          'together_1 AS (INSERT INTO b (z) VALUES ($3), ($4)) UPDATE c SET w = $5 WHERE id = $6',
        [1, 2, 3, 4, 5, 6],
      ],
    ]);
    // One statement runs as it is; none, not at all; a WITH cannot be nested.
    await runTogether(runner, [{ text: 'DELETE FROM d WHERE id = $1', values: [7] }]);
    expect(sent[1]).toEqual(['DELETE FROM d WHERE id = $1', [7]]);
    await runTogether(runner, []);
    expect(sent).toHaveLength(2);
    await expect(
      runTogether(runner, [
        { text: 'WITH x AS (SELECT 1) INSERT INTO a SELECT * FROM x', values: [] },
        { text: 'INSERT INTO b VALUES ($1)', values: [1] },
      ]),
    ).rejects.toThrow(/WITH/);
  });

  it('withReturning: the statement as a CTE the main statement reads, its parameters after the main ones', () => {
    expect(
      withReturning(
        'taken',
        { text: 'UPDATE b SET n = n - $2 WHERE key = $1 RETURNING n', values: ['k', 1] },
        { text: 'SELECT (SELECT n FROM taken) AS n, x FROM t WHERE id = $1', values: [7] },
      ),
    ).toEqual({
      text: 'WITH taken AS (UPDATE b SET n = n - $3 WHERE key = $2 RETURNING n) SELECT (SELECT n FROM taken) AS n, x FROM t WHERE id = $1',
      values: [7, 'k', 1],
    });
    const main = { text: 'SELECT 1', values: [] };
    expect(withReturning('t', { text: 'DELETE FROM d WHERE id = $1', values: [2] }, main)).toEqual({
      text: 'WITH t AS (DELETE FROM d WHERE id = $1) SELECT 1',
      values: [2],
    });
    expect(() =>
      withReturning('t', { text: 'WITH x AS (SELECT 1) DELETE FROM d', values: [] }, main),
    ).toThrow(/WITH/);
    expect(() => withReturning('t; DROP', { text: 'DELETE FROM d', values: [] }, main)).toThrow(
      /name/,
    );
  });
});
