import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The purge of an organization's rows, in its tenant transaction (row-level security keeps
 * the deletes to that organization). Children before parents.
 */
const PURGED_TABLES = [
  'device_messages',
  'sims',
  'inbound_receipts',
  'webhook_signatures',
  'credentials',
  'devices',
  'enrollment_tokens',
] as const;

@Injectable()
export class OrganizationRepository {
  /** Deletes every devices row of the organization; returns the count per table. */
  async purge(tx: EntityManager, orgId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of PURGED_TABLES) {
      const deleted: unknown[] = await tx.query(
        `DELETE FROM ${table} WHERE org_id = $1 RETURNING 1`,
        [orgId],
      );
      counts[table] = deleted.length;
    }
    await tx.query(`DELETE FROM tenants WHERE id = $1`, [orgId]);
    return counts;
  }
}
