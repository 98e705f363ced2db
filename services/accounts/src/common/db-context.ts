import type { DataSource, EntityManager } from 'typeorm';
import { setTenant } from '@switchboard/tenancy';

/**
 * Row-level security settings of the accounts database besides the tenant (`app.org_id`, see
 * libs/tenancy). Both are transaction-local, like the tenant, and set only by this service:
 *
 * - `app.user_id`: the authenticated user; policies `user_self` show that user's memberships,
 *   sessions and refresh tokens in every organization.
 * - `app.token_hash`: the SHA-256 of a secret the caller presented; policies `by_token_hash`
 *   show the one refresh token, API token or invitation with that hash.
 */
export const USER_SETTING = 'app.user_id';
export const TOKEN_HASH_SETTING = 'app.token_hash';

/** Anything that runs SQL in a transaction (an EntityManager of `dataSource.transaction`). */
export type Tx = EntityManager;

export async function setUser(tx: Tx, userId: string): Promise<void> {
  await tx.query(`SELECT set_config('${USER_SETTING}', $1, true)`, [userId]);
}

export async function setTokenHash(tx: Tx, hash: string): Promise<void> {
  await tx.query(`SELECT set_config('${TOKEN_HASH_SETTING}', $1, true)`, [hash]);
}

/** Runs `work` in a transaction that sees the user's own rows in every organization. */
export function inUserTransaction<T>(
  dataSource: DataSource,
  userId: string,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (tx) => {
    await setUser(tx, userId);
    return work(tx);
  });
}

export { setTenant };

/** Rows of a query, typed. */
export async function rows<T>(
  tx: Pick<Tx, 'query'>,
  sql: string,
  params?: unknown[],
): Promise<T[]> {
  return (await tx.query(sql, params)) as T[];
}

/** The first row of a query, or undefined. */
export async function row<T>(
  tx: Pick<Tx, 'query'>,
  sql: string,
  params?: unknown[],
): Promise<T | undefined> {
  return (await rows<T>(tx, sql, params))[0];
}

/** Affected row count of an UPDATE/DELETE run through TypeORM (`[rows, count]`). */
export async function execute(
  tx: Pick<Tx, 'query'>,
  sql: string,
  params?: unknown[],
): Promise<number> {
  const result = (await tx.query(sql, params)) as unknown;
  if (Array.isArray(result) && typeof result[1] === 'number') return result[1];
  return 0;
}

/** The rows an UPDATE/DELETE ... RETURNING gave back (TypeORM answers `[rows, count]` for those). */
export async function returning<T>(
  tx: Pick<Tx, 'query'>,
  sql: string,
  params?: unknown[],
): Promise<T[]> {
  const result = (await tx.query(sql, params)) as unknown;
  if (Array.isArray(result) && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** PostgreSQL's unique violation, with the name of the violated constraint. */
export function uniqueViolation(error: unknown): string | undefined {
  const e = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e?.driverError?.code ?? e?.code;
  if (code !== '23505') return undefined;
  return e?.driverError?.constraint ?? e?.constraint ?? '';
}
