import type { SqlRunner } from './tenant-migrations';

/**
 * SQL helpers for repositories. They hide one TypeORM quirk: its postgres driver answers
 * UPDATE and DELETE with `[rows, affectedCount]` and every other statement with the rows
 * alone. A pg client's result (`{ rows, rowCount }`) works too.
 */
function isRowsAndCount(result: unknown): result is [unknown[], number] {
  return (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  );
}

function isPgResult(result: unknown): result is { rows: unknown[]; rowCount: number | null } {
  return (
    typeof result === 'object' &&
    result !== null &&
    Array.isArray((result as { rows?: unknown }).rows)
  );
}

/** The rows of a SELECT, or of an INSERT / UPDATE / DELETE ... RETURNING. */
export async function rows<T>(
  runner: SqlRunner,
  sql: string,
  parameters?: unknown[],
): Promise<T[]> {
  const result = await runner.query(sql, parameters);
  if (isRowsAndCount(result)) return result[0] as T[];
  if (Array.isArray(result)) return result as T[];
  if (isPgResult(result)) return result.rows as T[];
  return [];
}

/** The first row of a statement (see `rows`), or undefined. */
export async function row<T>(
  runner: SqlRunner,
  sql: string,
  parameters?: unknown[],
): Promise<T | undefined> {
  return (await rows<T>(runner, sql, parameters))[0];
}

/** How many rows an UPDATE or DELETE changed. */
export async function affectedRows(
  runner: SqlRunner,
  sql: string,
  parameters?: unknown[],
): Promise<number> {
  const result = await runner.query(sql, parameters);
  if (isRowsAndCount(result)) return result[1];
  if (isPgResult(result)) return result.rowCount ?? 0;
  return 0;
}

/**
 * Whether `error` is PostgreSQL's unique violation (SQLSTATE 23505) — of `constraint` when
 * one is named. Reads TypeORM's QueryFailedError (`driverError`) and pg's error alike.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as
    | { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } }
    | undefined;
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23505') return false;
  return constraint === undefined || (e?.driverError?.constraint ?? e?.constraint) === constraint;
}

/** A statement and its parameters (`$1`…), to run alone or together with others. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/**
 * Runs data-modifying statements (INSERT, UPDATE, DELETE, none of them starting with WITH) as
 * ONE statement — every one but the last as a CTE of the last, their parameters renumbered —
 * in one round trip instead of one each. They see the same snapshot, so none may depend on
 * another's rows (e.g. a message, its outbox events and its timers); the result is the last
 * one's. Statement-level triggers (the outbox's NOTIFY) fire as usual.
 */
export async function runTogether(
  runner: SqlRunner,
  statements: readonly SqlStatement[],
): Promise<unknown> {
  if (statements.length === 0) return undefined;
  if (statements.length === 1) return runner.query(statements[0].text, statements[0].values);
  const values: unknown[] = [];
  const texts = statements.map((statement) => {
    if (/^\s*WITH\b/i.test(statement.text)) throw new Error('runTogether: a statement has a WITH');
    const offset = values.length;
    values.push(...statement.values);
    return shiftParameters(statement.text, offset);
  });
  const last = texts.pop()!;
  return runner.query(
    `WITH ${texts.map((text, i) => `together_${i} AS (${text})`).join(', ')} ${last}`,
    values,
  );
}

/**
 * `main` reading the rows of `statement` (a data-modifying statement with RETURNING, not
 * starting with WITH) as the CTE `name`: one statement, `statement`'s parameters numbered after
 * `main`'s. The CTE runs whether or not `main` reads it (PostgreSQL runs every data-modifying
 * CTE), in the same snapshot.
 */
export function withReturning(
  name: string,
  statement: SqlStatement,
  main: SqlStatement,
): SqlStatement {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`withReturning: not a CTE name: ${name}`);
  if (/^\s*WITH\b/i.test(statement.text))
    throw new Error('withReturning: the statement has a WITH');
  return {
    text: `WITH ${name} AS (${shiftParameters(statement.text, main.values.length)}) ${main.text}`,
    values: [...main.values, ...statement.values],
  };
}

/** `text` with its parameters `$n` renumbered `$(n + offset)`. */
function shiftParameters(text: string, offset: number): string {
  if (offset === 0) return text;
  return text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

const transactionMemos = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * What `load` answers, asked once per transaction and key: later calls in the same transaction
 * (`tx`, the EntityManager or runner it runs on) get the first answer without a round trip.
 * Only for what nothing later in the transaction changes, or what the caller keeps up to date
 * itself (e.g. a tenant's registration, a fleet whose load the caller updates as it assigns);
 * keys name the tenant when the answer depends on it (a batch applies several tenants' records
 * in one transaction). A rejected load is not kept.
 */
export function oncePerTransaction<T>(tx: object, key: string, load: () => Promise<T>): Promise<T> {
  let memo = transactionMemos.get(tx);
  if (!memo) transactionMemos.set(tx, (memo = new Map()));
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const loading = load();
  memo.set(key, loading);
  loading.catch(() => memo.delete(key));
  return loading;
}
