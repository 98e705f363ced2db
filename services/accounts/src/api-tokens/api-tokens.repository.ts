import { Injectable } from '@nestjs/common';
import type { Scope } from '@switchboard/auth';
import { row, rows } from '@switchboard/tenancy';
import { type Tx } from '../common/db-context';
import type { ApiTokenRecord } from './api-token.record';

interface ApiTokenRow {
  id: string;
  org_id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  use_count: string;
  revoked_at: Date | null;
}

const COLUMNS =
  'id, org_id, name, prefix, scopes, created_by, created_at, expires_at, last_used_at, use_count, revoked_at';
const toApiToken = (r: ApiTokenRow): ApiTokenRecord => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes as Scope[],
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  useCount: Number(r.use_count),
  revokedAt: r.revoked_at,
});

/** What the exchange checks besides the token: its organization and its creator's membership. */
export interface ApiTokenGrantState {
  status: string;
  /** The creator's current role in the organization; null once they left. */
  role: 'CUSTOMER' | 'USER' | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

type Runner = Pick<Tx, 'query'>;

/** All SQL of API tokens (`api_tokens`, row-level security by tenant or by token hash). */
@Injectable()
export class ApiTokensRepository {
  async insert(
    tx: Runner,
    token: {
      id: string;
      orgId: string;
      name: string;
      prefix: string;
      tokenHash: string;
      scopes: readonly string[];
      createdBy: string;
      expiresAt: Date | null;
    },
    now: Date,
  ): Promise<ApiTokenRecord> {
    const inserted = await row<ApiTokenRow>(
      tx,
      `INSERT INTO api_tokens (id, org_id, name, prefix, token_hash, scopes, created_by, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        token.id,
        token.orgId,
        token.name,
        token.prefix,
        token.tokenHash,
        token.scopes,
        token.createdBy,
        now,
        token.expiresAt,
      ],
    );
    return toApiToken(inserted!);
  }

  async list(tx: Runner, orgId: string): Promise<ApiTokenRecord[]> {
    const found = await rows<ApiTokenRow>(
      tx,
      `SELECT ${COLUMNS} FROM api_tokens WHERE org_id = $1 ORDER BY created_at DESC, id`,
      [orgId],
    );
    return found.map(toApiToken);
  }

  /** The token, locked for an update; undefined for an unknown (or malformed) id. */
  async lock(tx: Runner, id: string): Promise<ApiTokenRecord | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const found = await row<ApiTokenRow>(
      tx,
      `SELECT ${COLUMNS} FROM api_tokens WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return found && toApiToken(found);
  }

  async revoke(
    tx: Runner,
    id: string,
    revokedBy: string | undefined,
    now: Date,
  ): Promise<ApiTokenRecord> {
    const [revoked] = await rows<ApiTokenRow>(
      tx,
      `UPDATE api_tokens SET revoked_at = $2, revoked_by = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, now, revokedBy ?? null],
    );
    return toApiToken(revoked);
  }

  async findByHash(tx: Runner, hash: string): Promise<ApiTokenRecord | undefined> {
    const found = await row<ApiTokenRow>(
      tx,
      `SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = $1`,
      [hash],
    );
    return found && toApiToken(found);
  }

  async grantState(tx: Runner, id: string): Promise<ApiTokenGrantState | undefined> {
    const state = await row<{
      status: string;
      role: 'CUSTOMER' | 'USER' | null;
      revoked_at: Date | null;
      expires_at: Date | null;
    }>(
      tx,
      `SELECT o.status, m.role, t.revoked_at, t.expires_at
       FROM api_tokens t
       JOIN organizations o ON o.id = t.org_id
       LEFT JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.created_by
      WHERE t.id = $1`,
      [id],
    );
    return (
      state && {
        status: state.status,
        role: state.role,
        revokedAt: state.revoked_at,
        expiresAt: state.expires_at,
      }
    );
  }

  async recordUse(tx: Runner, id: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE api_tokens SET last_used_at = $2, use_count = use_count + 1 WHERE id = $1`,
      [id, now],
    );
  }

  /** Revokes the live tokens the user created in the organization; returns their ids. */
  async revokeCreatedBy(
    tx: Runner,
    orgId: string,
    createdBy: string,
    revokedBy: string | null,
    now: Date,
  ): Promise<string[]> {
    const revoked = await rows<{ id: string }>(
      tx,
      `UPDATE api_tokens SET revoked_at = $3, revoked_by = $4
        WHERE org_id = $1 AND created_by = $2 AND revoked_at IS NULL RETURNING id`,
      [orgId, createdBy, now, revokedBy],
    );
    return revoked.map((r) => r.id);
  }
}
