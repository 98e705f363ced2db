import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/events';

/**
 * SQL of `tenants`: the organizations this service holds something for (ids, and since when one
 * is closed). Not tenant data: the sweep reads it to know whose tenant transactions to open.
 */
@Injectable()
export class TenantRepository {
  /** Every open organization the service holds something for (the sweep's list). */
  async open(runner: SqlRunner): Promise<string[]> {
    const found = (await runner.query(`SELECT id FROM tenants WHERE closed_at IS NULL`)) as {
      id: string;
    }[];
    return found.map((t) => t.id);
  }

  /** Whether the organization was closed (its fleet stopped). */
  async isClosed(tx: SqlRunner, orgId: string): Promise<boolean> {
    const found = (await tx.query(`SELECT 1 FROM tenants WHERE id = $1 AND closed_at IS NOT NULL`, [
      orgId,
    ])) as unknown[];
    return found.length > 0;
  }

  /** Closes (a date) or reopens (null) the organization's fleet. */
  async setClosed(tx: SqlRunner, orgId: string, closedAt: Date | null): Promise<void> {
    await tx.query(
      `INSERT INTO tenants (id, closed_at) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET closed_at = EXCLUDED.closed_at`,
      [orgId, closedAt],
    );
  }

  async register(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`INSERT INTO tenants (id) VALUES ($1) ON CONFLICT DO NOTHING`, [orgId]);
  }
}
