import { Injectable } from '@nestjs/common';
import { rows } from './sql';
import type { GlobalTables } from './isolation-check';
import type { SqlRunner } from './tenant-migrations';

/** A row of `tenants` (createTenantsTable). */
export interface TenantRecord {
  id: string;
  closedAt: Date | null;
}

/**
 * SQL of `tenants`: the organizations a service holds something for (ids, and since when one
 * is closed). Not tenant data: scheduled jobs and sweeps read it to know whose tenant
 * transactions to open. The same table in every service (createTenantsTable).
 */
@Injectable()
export class TenantRepository {
  /** Every organization the service holds something for, open or closed. */
  all(runner: SqlRunner): Promise<TenantRecord[]> {
    return rows(runner, `SELECT id, closed_at AS "closedAt" FROM tenants ORDER BY id`);
  }

  /** The ids of the open organizations. */
  async open(runner: SqlRunner): Promise<string[]> {
    const found = await rows<{ id: string }>(
      runner,
      `SELECT id FROM tenants WHERE closed_at IS NULL ORDER BY id`,
    );
    return found.map((t) => t.id);
  }

  /** Whether the organization was closed (deletion scheduled). */
  async isClosed(tx: SqlRunner, orgId: string): Promise<boolean> {
    const found = await rows(tx, `SELECT 1 FROM tenants WHERE id = $1 AND closed_at IS NOT NULL`, [
      orgId,
    ]);
    return found.length > 0;
  }

  /**
   * `register` and `isClosed` in one round trip (a hot consumer path: issue 17). The query reads
   * the table as it was before its own insert, which is right: a row it inserts is open.
   */
  async registerAndIsClosed(tx: SqlRunner, orgId: string): Promise<boolean> {
    const [found] = await rows<{ closed: boolean }>(
      tx,
      `WITH registered AS (INSERT INTO tenants (id) VALUES ($1) ON CONFLICT DO NOTHING)
       SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1 AND closed_at IS NOT NULL) AS closed`,
      [orgId],
    );
    return found.closed;
  }

  async register(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`INSERT INTO tenants (id) VALUES ($1) ON CONFLICT DO NOTHING`, [orgId]);
  }

  /** Closes (a date) or reopens (null) the organization. */
  async setClosed(tx: SqlRunner, orgId: string, closedAt: Date | null): Promise<void> {
    await tx.query(
      `INSERT INTO tenants (id, closed_at) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET closed_at = EXCLUDED.closed_at`,
      [orgId, closedAt],
    );
  }

  async remove(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`DELETE FROM tenants WHERE id = $1`, [orgId]);
  }
}

/**
 * Creates `tenants` (for a service's migration), granted to the application role: it adds,
 * closes, reopens and removes organizations, nothing else.
 */
export async function createTenantsTable(runner: SqlRunner, appRole: string): Promise<void> {
  await runner.query(`
    CREATE TABLE tenants (
      id uuid PRIMARY KEY,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz
    )`);
  await runner.query(`GRANT SELECT, INSERT, UPDATE (closed_at), DELETE ON tenants TO ${appRole}`);
}

/** `tenants` for a migrations spec's reviewed global tables (checkTenantIsolation). */
export const TENANTS_GLOBAL_TABLES: GlobalTables = Object.freeze({
  tenants:
    'ids of the organizations the service holds something for (and since when one is closed), so scheduled jobs know whose tenant transactions to open',
});
