import type { DataSource, EntityManager } from 'typeorm';
import { inGlobalTransaction, rows } from '@switchboard/tenancy';
import { DEFAULT_RATE_LIMIT_TABLE, checkTableName } from './rate-limit-table.migration';

/** A row of the limiter table as the limiter reads it. */
export interface RateLimitHitRecord {
  key: string;
  created_at: Date;
}

/**
 * All SQL of a limiter table (created by createRateLimitTable in the service's own migration).
 * Writes run in the transaction they are given; `inTransaction` opens one when the caller has
 * none. The table is cross-tenant, so no tenant is set.
 */
export class RateLimitRepository {
  readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    table = DEFAULT_RATE_LIMIT_TABLE,
  ) {
    this.table = checkTableName(table);
  }

  inTransaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return inGlobalTransaction(this.dataSource, work);
  }

  /**
   * Locks the keys of `action` until `tx` ends, one transaction-scoped advisory lock per key,
   * taken in sorted order so two requests sharing keys never wait on each other crosswise.
   */
  async lock(tx: EntityManager, action: string, keys: readonly string[]): Promise<void> {
    for (const key of [...keys].sort()) {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `${this.table}:${action}:${key}`,
      ]);
    }
  }

  /** The hits of `action` on `keys` after `since`. */
  recent(
    tx: EntityManager,
    action: string,
    keys: readonly string[],
    since: Date,
  ): Promise<RateLimitHitRecord[]> {
    return rows<RateLimitHitRecord>(
      tx,
      `SELECT key, created_at FROM ${this.table}
        WHERE action = $1 AND key = ANY($2) AND created_at > $3`,
      [action, keys, since],
    );
  }

  /** Records one hit of `action` on each key. */
  async record(
    tx: EntityManager,
    action: string,
    keys: readonly string[],
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.table} (action, key, created_at)
       SELECT $1, k, $3 FROM unnest($2::text[]) AS k`,
      [action, keys, at],
    );
  }

  /** Forgets every hit before `before`. */
  async prune(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${this.table} WHERE created_at < $1`, [before]);
  }
}
