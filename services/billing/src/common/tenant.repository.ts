import { Injectable } from '@nestjs/common';
import { rows } from '@switchboard/tenancy';
import type { SqlRunner } from '@switchboard/events';

/**
 * SQL of `tenants`: the organizations this service holds something for (ids, and since when one
 * is closed). Not tenant data: scheduled jobs read it to know whose transactions to open.
 */
@Injectable()
export class TenantRepository {
  /** Every organization billing holds something for, open or closed. */
  async all(runner: SqlRunner): Promise<{ id: string; closedAt: Date | null }[]> {
    return rows(runner, `SELECT id, closed_at AS "closedAt" FROM tenants ORDER BY id`);
  }

  /** Whether the organization was closed (deletion scheduled). */
  async isClosed(tx: SqlRunner, orgId: string): Promise<boolean> {
    const found = await rows(tx, `SELECT 1 FROM tenants WHERE id = $1 AND closed_at IS NOT NULL`, [
      orgId,
    ]);
    return found.length > 0;
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
