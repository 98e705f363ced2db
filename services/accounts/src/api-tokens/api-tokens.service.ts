import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  generateOpaqueToken,
  isOpaqueToken,
  OpaqueTokenPrefix,
  requireOrg,
  SCOPES,
  scopesOfRole,
  type Principal,
  type Scope,
} from '@switchboard/auth';
import { AccountsErrorCode, AccountsException, notFound } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction, row, rows } from '@switchboard/tenancy';
import { byTokenHash } from '../common/db-context';
import { displayPrefix, hashToken } from '../domain/opaque-token';
import { AccountsEvents } from '../events/accounts-events';
import { actorOf } from '../organizations/organizations.service';
import { TokenIssuer, type IssuedAccessToken } from '../tokens/token-issuer.service';

export interface ApiTokenRecord {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  useCount: number;
  revokedAt: Date | null;
}

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

const unauthorized = () =>
  new AccountsException(AccountsErrorCode.INVALID_TOKEN, 'Invalid API token');

/**
 * API tokens: credentials of customers' servers. The secret (`sbk_…`) is returned once, at
 * creation; only its SHA-256 is stored. The gateway exchanges a token for a short-lived JWT
 * (`exchange`), which is where use is counted.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly issuer: TokenIssuer,
    private readonly events: AccountsEvents,
  ) {}

  async create(
    principal: Principal,
    input: { name: string; scopes: string[]; expiresAt?: Date | null },
  ): Promise<{ token: string; apiToken: ApiTokenRecord }> {
    const orgId = requireOrg(principal);
    if (principal.kind !== 'user')
      throw new AccountsException(AccountsErrorCode.FORBIDDEN, 'Only people create API tokens');
    const name = (input.name ?? '').trim();
    if (name.length < 1 || name.length > 100) {
      throw new AccountsException(
        AccountsErrorCode.INVALID_INPUT,
        'The name must have 1 to 100 characters',
      );
    }
    const scopes = [...new Set(input.scopes ?? [])];
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || unknown.length) {
      throw new AccountsException(AccountsErrorCode.INVALID_SCOPE, `Unknown or missing scopes`, {
        details: { unknown, allowed: [...SCOPES] },
      });
    }
    // A token never holds more than its creator could do (ADMIN acts as owner here).
    const creatorScopes = scopesOfRole[principal.role === 'ADMIN' ? 'CUSTOMER' : principal.role];
    const beyond = scopes.filter((s) => !creatorScopes.includes(s as Scope));
    if (beyond.length) {
      throw new AccountsException(AccountsErrorCode.INVALID_SCOPE, 'Scopes beyond your role', {
        details: { beyond },
      });
    }
    const now = this.clock.now();
    if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) {
      throw new AccountsException(
        AccountsErrorCode.INVALID_INPUT,
        'expiresAt must be in the future',
      );
    }
    const token = generateOpaqueToken(OpaqueTokenPrefix.apiToken);
    const apiToken = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const inserted = await row<ApiTokenRow>(
        tx,
        `INSERT INTO api_tokens (id, org_id, name, prefix, token_hash, scopes, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          orgId,
          name,
          displayPrefix(token),
          hashToken(token),
          scopes,
          principal.userId,
          now,
          input.expiresAt ?? null,
        ],
      );
      const created = toApiToken(inserted!);
      await this.events.apiTokenCreated(
        tx,
        { ...created, createdBy: principal.userId, scopes: created.scopes },
        now,
      );
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: 'api_token.create',
        orgId,
        resourceType: 'api_token',
        resourceId: created.id,
        outcome: 'success',
        occurredAt: now,
        metadata: { scopes: scopes.join(' ') },
      });
      return created;
    });
    return { token, apiToken };
  }

  async list(principal: Principal): Promise<ApiTokenRecord[]> {
    const orgId = requireOrg(principal);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const found = await rows<ApiTokenRow>(
        tx,
        `SELECT ${COLUMNS} FROM api_tokens WHERE org_id = $1 ORDER BY created_at DESC, id`,
        [orgId],
      );
      return found.map(toApiToken);
    });
  }

  async revoke(principal: Principal, id: string): Promise<ApiTokenRecord> {
    const orgId = requireOrg(principal);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const existing = /^[0-9a-f-]{36}$/i.test(id)
        ? await row<ApiTokenRow>(tx, `SELECT ${COLUMNS} FROM api_tokens WHERE id = $1 FOR UPDATE`, [
            id,
          ])
        : undefined;
      if (!existing) throw notFound('API token');
      if (existing.revoked_at) return toApiToken(existing);
      const revokedBy = principal.kind === 'user' ? principal.userId : undefined;
      const [revoked] = await rows<ApiTokenRow>(
        tx,
        `UPDATE api_tokens SET revoked_at = $2, revoked_by = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, now, revokedBy ?? null],
      );
      await this.events.apiTokenRevoked(tx, { id, orgId }, revokedBy, 'revoked by user', now);
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: 'api_token.revoke',
        orgId,
        resourceType: 'api_token',
        resourceId: id,
        outcome: 'success',
        occurredAt: now,
      });
      return toApiToken(revoked);
    });
  }

  /**
   * The internal exchange: a valid API token (known, not revoked, not expired, organization
   * active, creator still a member) becomes a JWT of kind `api_token` for at most 5 minutes,
   * with the token's scopes bounded by its creator's current role. Counts the use.
   */
  async exchange(secret: string): Promise<IssuedAccessToken> {
    if (!isOpaqueToken(OpaqueTokenPrefix.apiToken, secret)) throw unauthorized();
    const hash = hashToken(secret);
    const grant = await inGlobalTransaction(
      this.dataSource,
      async (tx, enterTenant) => {
        const now = this.clock.now();
        const found = await row<ApiTokenRow>(
          tx,
          `SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = $1`,
          [hash],
        );
        if (!found) return undefined;
        await enterTenant(found.org_id);
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
          [found.id],
        );
        if (!state || state.revoked_at || state.status !== 'ACTIVE' || !state.role)
          return undefined;
        if (state.expires_at && state.expires_at.getTime() <= now.getTime()) return undefined;
        await tx.query(
          `UPDATE api_tokens SET last_used_at = $2, use_count = use_count + 1 WHERE id = $1`,
          [found.id, now],
        );
        const role = state.role;
        const scopes = (found.scopes as Scope[]).filter((s) => scopesOfRole[role].includes(s));
        return { tokenId: found.id, orgId: found.org_id, role, scopes };
      },
      byTokenHash(hash),
    );
    if (!grant) throw unauthorized();
    return this.issuer.apiTokenJwt(grant);
  }
}
