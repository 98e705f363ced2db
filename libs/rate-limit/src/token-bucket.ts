import type { EntityManager } from 'typeorm';
import { grantToApp, row, type SqlRunner, type SqlStatement } from '@switchboard/tenancy';
import { checkTableName } from './rate-limit-table.migration';

/** `rate` tokens per second, at most `burst` saved up; a rate of 0 turns the bucket off. */
export interface TokenBucketLimit {
  rate: number;
  burst: number;
}

/** A take's answer: allowed, or the seconds to wait. */
export type BucketVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Seconds to wait after a refused take left the bucket at `tokens` (below 0: the refill fell
 * `-tokens` short of one token), rounded up, at least 1.
 */
export function bucketRetryAfterSeconds(tokens: number, rate: number): number {
  return Math.max(1, Math.ceil(-tokens / rate));
}

/**
 * Creates a token-bucket table: one row per key with its tokens and when they were counted.
 * Cross-tenant like the limiter table (the key names the organization); never shown.
 */
export async function createTokenBucketTable(
  runner: SqlRunner,
  appRole: string,
  table: string,
): Promise<void> {
  checkTableName(table);
  await runner.query(`
    CREATE TABLE ${table} (
      key text PRIMARY KEY CHECK (key <> '' AND strpos(key, '@') = 0),
      tokens double precision NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
  await grantToApp(runner, table, appRole);
}

/**
 * A token bucket per key in PostgreSQL, for a limit on a hot path: taking a token is one
 * statement (an upsert that refills by the time passed, takes one and returns what is left),
 * run in the caller's transaction. The key's row stays locked until that transaction ends, so
 * replicas agree; a refused take must roll the transaction back (the token it took is then
 * given back), which throwing out of it does.
 */
export class TokenBucket {
  private readonly table: string;

  constructor(table: string) {
    this.table = checkTableName(table);
  }

  /**
   * Takes `count` tokens of `key` (one by default; a batch takes its items' at once):
   * `{ allowed }`, or the seconds to wait when there were not enough.
   */
  async take(
    tx: EntityManager,
    key: string,
    limit: TokenBucketLimit,
    now: Date,
    count = 1,
  ): Promise<BucketVerdict> {
    const statement = this.takeStatement(key, limit, now, count);
    if (!statement) return { allowed: true };
    const left = await row<{ tokens: number }>(tx, statement.text, statement.values);
    return this.verdict(left?.tokens, limit);
  }

  /**
   * `take`'s upsert, to run inside another statement of the caller's transaction (e.g. as a CTE,
   * `withReturning`): it returns `tokens`, for `verdict`. None when the limit is off.
   */
  takeStatement(
    key: string,
    limit: TokenBucketLimit,
    now: Date,
    count = 1,
  ): SqlStatement | undefined {
    if (limit.rate <= 0 || count <= 0) return undefined;
    return {
      text: `INSERT INTO ${this.table} AS b (key, tokens, updated_at) VALUES ($1, $2::float8 - $5::float8, $3::timestamptz)
       ON CONFLICT (key) DO UPDATE SET
         tokens = LEAST($2::float8,
                        b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($3::timestamptz - b.updated_at))) * $4::float8) - $5::float8,
         updated_at = GREATEST(b.updated_at, $3::timestamptz)
       RETURNING tokens`,
      values: [key, limit.burst, now, limit.rate, count],
    };
  }

  /**
   * What the tokens `takeStatement` left say: allowed, or refused with the seconds to wait (the
   * caller then rolls its transaction back). No tokens (the limit was off): allowed.
   */
  verdict(tokens: number | string | null | undefined, limit: TokenBucketLimit): BucketVerdict {
    if (tokens === null || tokens === undefined || limit.rate <= 0) return { allowed: true };
    const left = Number(tokens);
    return left >= 0
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: bucketRetryAfterSeconds(left, limit.rate) };
  }

  /**
   * Takes `count` tokens of `key` (one by default) in a statement of its own, outside any
   * transaction: the row is locked for that statement only (an edge limit that must not
   * serialize a caller's requests for a whole transaction). All `count` or none: a refusal
   * changes nothing (the upsert's WHERE leaves the row as it is), so it needs no rollback; a
   * second read then says when to retry. An accepted take says how many tokens it left.
   */
  async takeNow(
    runner: SqlRunner,
    key: string,
    limit: TokenBucketLimit,
    now: Date,
    count = 1,
  ): Promise<{ allowed: true; left: number } | { allowed: false; retryAfterSeconds: number }> {
    if (limit.rate <= 0) return { allowed: true, left: Infinity };
    const refilled = `LEAST($2::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($3::timestamptz - b.updated_at))) * $4::float8)`;
    const taken = await row<{ tokens: number }>(
      runner,
      `INSERT INTO ${this.table} AS b (key, tokens, updated_at)
         SELECT $1, $2::float8 - $5::float8, $3::timestamptz WHERE $2::float8 >= $5::float8
       ON CONFLICT (key) DO UPDATE SET tokens = ${refilled} - $5::float8,
         updated_at = GREATEST(b.updated_at, $3::timestamptz)
       WHERE ${refilled} >= $5::float8
       RETURNING tokens`,
      [key, limit.burst, now, limit.rate, count],
    );
    if (taken) return { allowed: true, left: Number(taken.tokens) };
    const left = await row<{ tokens: number }>(
      runner,
      `SELECT ${refilled} AS tokens FROM ${this.table} AS b WHERE key = $1`,
      [key, limit.burst, now, limit.rate],
    );
    return {
      allowed: false,
      retryAfterSeconds: bucketRetryAfterSeconds(
        Number(left?.tokens ?? limit.burst) - count,
        limit.rate,
      ),
    };
  }
}
