import { Injectable } from '@nestjs/common';
import { row, rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import type { OrganizationStatus } from '../domain/organization-rules';
import {
  toOrganization,
  type OrganizationRecord,
  type OrganizationRow,
} from './organization.record';

const COLUMNS = `id, name, slug, timezone, default_country, status, created_at, updated_at, closed_at, purge_at, deleted_at`;

type Runner = Pick<Tx, 'query'>;

/**
 * The organizations table (the tenant registry; not row-level secured, see the migration):
 * callers decide who may see which organization.
 */
@Injectable()
export class OrganizationsRepository {
  async insert(
    tx: Runner,
    org: Pick<OrganizationRecord, 'id' | 'name' | 'slug' | 'timezone' | 'defaultCountry'>,
    now: Date,
  ): Promise<OrganizationRecord> {
    const inserted = await row<OrganizationRow>(
      tx,
      `INSERT INTO organizations (id, name, slug, timezone, default_country, status, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $6) RETURNING ${COLUMNS}`,
      [org.id, org.name, org.slug, org.timezone, org.defaultCountry, now],
    );
    return toOrganization(inserted!);
  }

  async findById(
    tx: Runner,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<OrganizationRecord | undefined> {
    const found = await row<OrganizationRow>(
      tx,
      `SELECT ${COLUMNS} FROM organizations WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return found && toOrganization(found);
  }

  async findByIds(tx: Runner, ids: readonly string[]): Promise<OrganizationRecord[]> {
    if (ids.length === 0) return [];
    const found = await rows<OrganizationRow>(
      tx,
      `SELECT ${COLUMNS} FROM organizations WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return found.map(toOrganization);
  }

  async findBySlug(tx: Runner, slug: string): Promise<OrganizationRecord | undefined> {
    const found = await row<OrganizationRow>(
      tx,
      `SELECT ${COLUMNS} FROM organizations WHERE slug = $1 AND status <> 'DELETED'`,
      [slug],
    );
    return found && toOrganization(found);
  }

  async update(
    tx: Runner,
    id: string,
    changes: Partial<
      Pick<
        OrganizationRecord,
        | 'name'
        | 'timezone'
        | 'defaultCountry'
        | 'status'
        | 'closedAt'
        | 'purgeAt'
        | 'deletedAt'
        | 'slug'
      >
    >,
    now: Date,
  ): Promise<OrganizationRecord> {
    const columns: Record<string, string> = {
      name: 'name',
      slug: 'slug',
      timezone: 'timezone',
      defaultCountry: 'default_country',
      status: 'status',
      closedAt: 'closed_at',
      purgeAt: 'purge_at',
      deletedAt: 'deleted_at',
    };
    const sets: string[] = ['updated_at = $2'];
    const params: unknown[] = [id, now];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${columns[key]} = $${params.length}`);
    }
    const [updated] = await rows<OrganizationRow>(
      tx,
      `UPDATE organizations SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
      params,
    );
    return toOrganization(updated);
  }

  /** For platform admins: every organization, newest first, optionally by status or search. */
  async list(
    tx: Runner,
    filter: { status?: OrganizationStatus; search?: string; limit: number; offset: number },
  ): Promise<OrganizationRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.search) {
      params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(name ILIKE $${params.length} OR slug ILIKE $${params.length})`);
    }
    params.push(filter.limit, filter.offset);
    const found = await rows<OrganizationRow>(
      tx,
      `SELECT ${COLUMNS} FROM organizations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return found.map(toOrganization);
  }

  /** Back to ACTIVE: a closure canceled. */
  async reopen(tx: Runner, orgId: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE organizations SET status = 'ACTIVE', closed_at = NULL, purge_at = NULL, updated_at = $2 WHERE id = $1`,
      [orgId, now],
    );
  }
}
