import { Injectable } from '@nestjs/common';
import { row, type SqlRunner } from '@switchboard/tenancy';
import type { OrganizationRecord } from './organization.record';

/**
 * The purge of an organization's rows, in its tenant transaction (row-level security keeps
 * the deletes to that organization). The opt-out list and its history go only here: opt-outs
 * are kept for as long as the organization exists.
 */
const PURGED_TABLES = [
  'suppression_history',
  'suppressions',
  'organization_policies',
  'organizations',
] as const;

/** SQL of `organizations`: what compliance knows of each organization (from accounts). */
@Injectable()
export class OrganizationRepository {
  find(tx: SqlRunner, orgId: string): Promise<OrganizationRecord | undefined> {
    return row<OrganizationRecord>(
      tx,
      `SELECT org_id AS "orgId", name, slug, closed_at AS "closedAt" FROM organizations WHERE org_id = $1`,
      [orgId],
    );
  }

  async upsert(
    tx: SqlRunner,
    org: { orgId: string; name: string; slug: string },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO organizations (org_id, name, slug, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (org_id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug,
         updated_at = EXCLUDED.updated_at`,
      [org.orgId, org.name, org.slug, at],
    );
  }

  /** Closes (a date) or reopens (null) the organization, if compliance knows it. */
  async setClosed(tx: SqlRunner, orgId: string, closedAt: Date | null): Promise<void> {
    await tx.query(`UPDATE organizations SET closed_at = $2 WHERE org_id = $1`, [orgId, closedAt]);
  }

  /** Deletes every compliance-core row of the organization; returns the count per table. */
  async purge(tx: SqlRunner, orgId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of PURGED_TABLES) {
      const deleted = (await tx.query(`DELETE FROM ${table} WHERE org_id = $1 RETURNING 1`, [
        orgId,
      ])) as unknown[];
      counts[table] = deleted.length;
    }
    return counts;
  }
}
