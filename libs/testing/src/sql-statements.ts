import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';

/** What {@link recordSqlStatements} saw, grouped by connection. */
export interface SqlStatementLog {
  /**
   * Every transaction that began while recording, each as its statements in order (START
   * TRANSACTION and COMMIT included), in the order they began.
   */
  transactions(): string[][];
  /** Stops recording (the query runner is as before). */
  stop(): void;
}

/**
 * Counts database round trips in an in-process service (issue 17): every statement TypeORM's
 * PostgreSQL query runner sends, which BEGIN and COMMIT go through too, grouped per transaction
 * by the runner that ran it, so a background job's statements never mix with the ones under
 * test. Pin a hot path with it: `expect(log.transactions().filter(...)).toHaveLength(1)`.
 */
export function recordSqlStatements(): SqlStatementLog {
  const original = PostgresQueryRunner.prototype.query;
  const open = new Map<PostgresQueryRunner, string[]>();
  const done: string[][] = [];
  PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, ...args) {
    const sql = String(args[0]).replace(/\s+/g, ' ').trim();
    if (/^START TRANSACTION/i.test(sql)) {
      const tx = [sql];
      open.set(this, tx);
      done.push(tx);
    } else {
      open.get(this)?.push(sql);
      if (/^(COMMIT|ROLLBACK)\b/i.test(sql)) open.delete(this);
    }
    return original.apply(this, args);
  } as typeof original;
  return {
    transactions: () => done.map((tx) => [...tx]),
    stop: () => {
      PostgresQueryRunner.prototype.query = original;
    },
  };
}
