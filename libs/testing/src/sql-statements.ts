import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { TENANT_SETTING } from '@switchboard/tenancy';

/** What {@link recordSqlStatements} saw, grouped by connection. */
export interface SqlStatementLog {
  /**
   * Every transaction that began while recording, each as its statements in order (START
   * TRANSACTION and COMMIT included), in the order they began; with `tenant`, only those that
   * entered that organization (set `app.org_id` to it, as the tenancy library does), so other
   * organizations' work in the same process never counts.
   */
  transactions(filter?: { tenant?: string }): string[][];
  /** Stops recording (the query runner is as before). */
  stop(): void;
}

interface RecordedTransaction {
  statements: string[];
  /** The organizations the transaction entered (`app.org_id`), in order. */
  tenants: string[];
}

/** `set_config('app.org_id', $n…` anywhere in a statement (also a consumer's CTE): n. */
const SETS_TENANT = new RegExp(`set_config\\('${TENANT_SETTING.replace('.', '\\.')}', \\$(\\d+)`);

/**
 * Counts database round trips in an in-process service (issue 17): every statement TypeORM's
 * PostgreSQL query runner sends, which BEGIN and COMMIT go through too, grouped per transaction
 * by the runner that ran it, so a background job's statements never mix with the ones under
 * test. Pin a hot path with it: `expect(log.transactions().filter(...)).toHaveLength(1)`.
 */
export function recordSqlStatements(): SqlStatementLog {
  const original = PostgresQueryRunner.prototype.query;
  const open = new Map<PostgresQueryRunner, RecordedTransaction>();
  const done: RecordedTransaction[] = [];
  PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, ...args) {
    const sql = String(args[0]).replace(/\s+/g, ' ').trim();
    if (/^START TRANSACTION/i.test(sql)) {
      const tx: RecordedTransaction = { statements: [sql], tenants: [] };
      open.set(this, tx);
      done.push(tx);
    } else {
      const tx = open.get(this);
      tx?.statements.push(sql);
      const tenantParameter = tx && SETS_TENANT.exec(sql)?.[1];
      if (tenantParameter) {
        tx.tenants.push(String((args[1] as unknown[])[Number(tenantParameter) - 1]));
      }
      if (/^(COMMIT|ROLLBACK)\b/i.test(sql)) open.delete(this);
    }
    return original.apply(this, args);
  } as typeof original;
  return {
    transactions: (filter = {}) =>
      done
        .filter((tx) => filter.tenant === undefined || tx.tenants.includes(filter.tenant))
        .map((tx) => [...tx.statements]),
    stop: () => {
      PostgresQueryRunner.prototype.query = original;
    },
  };
}
