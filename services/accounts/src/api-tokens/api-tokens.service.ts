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
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { byTokenHash, type Tx } from '../common/db-context';
import { displayPrefix, hashToken } from '../domain/opaque-token';
import { AccountsEvents } from '../events/accounts-events';
import { actorOf } from '../common/actor';
import { TokenIssuer, type IssuedAccessToken } from '../tokens/token-issuer.service';
import type { ApiTokenRecord } from './api-token.record';
import { ApiTokensRepository } from './api-tokens.repository';

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
    private readonly apiTokens: ApiTokensRepository,
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
    // A token never holds more than its creator could do (a platform admin: its membership).
    const creatorScopes = principal.scopes;
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
      const created = await this.apiTokens.insert(
        tx,
        {
          id: randomUUID(),
          orgId,
          name,
          prefix: displayPrefix(token),
          tokenHash: hashToken(token),
          scopes,
          createdBy: principal.userId,
          expiresAt: input.expiresAt ?? null,
        },
        now,
      );
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
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.apiTokens.list(tx, orgId));
  }

  async revoke(principal: Principal, id: string): Promise<ApiTokenRecord> {
    const orgId = requireOrg(principal);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const existing = await this.apiTokens.lock(tx, id);
      if (!existing) throw notFound('API token');
      if (existing.revokedAt) return existing;
      const revokedBy = principal.kind === 'user' ? principal.userId : undefined;
      const revoked = await this.apiTokens.revoke(tx, id, revokedBy, now);
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
      return revoked;
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
        const found = await this.apiTokens.findByHash(tx, hash);
        if (!found) return undefined;
        await enterTenant(found.orgId);
        const state = await this.apiTokens.grantState(tx, found.id);
        if (!state || state.revokedAt || state.status !== 'ACTIVE' || !state.role) return undefined;
        if (state.expiresAt && state.expiresAt.getTime() <= now.getTime()) return undefined;
        await this.apiTokens.recordUse(tx, found.id, now);
        const role = state.role;
        const scopes = found.scopes.filter((s) => scopesOfRole[role].includes(s));
        return { tokenId: found.id, orgId: found.orgId, role, scopes };
      },
      byTokenHash(hash),
    );
    if (!grant) throw unauthorized();
    return this.issuer.apiTokenJwt(grant);
  }

  /**
   * Revokes the live tokens `userId` created in the organization (they left it), in the
   * caller's transaction, and reports each.
   */
  async revokeCreatedBy(tx: Tx, orgId: string, userId: string, by: Principal, now: Date) {
    const revokedBy = by.kind === 'user' ? by.userId : undefined;
    const revoked = await this.apiTokens.revokeCreatedBy(tx, orgId, userId, revokedBy ?? null, now);
    for (const id of revoked) {
      await this.events.apiTokenRevoked(
        tx,
        { id, orgId },
        revokedBy,
        'creator left the organization',
        now,
      );
    }
  }
}
