import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  generateOpaqueToken,
  isOpaqueToken,
  OpaqueTokenPrefix,
  type Role,
} from '@switchboard/auth';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { asUser, byTokenHash, type Tx } from '../common/db-context';
import { hashToken } from '../domain/opaque-token';
import { decideRefresh } from '../domain/refresh-rotation';
import { AccountsEvents } from '../events/accounts-events';
import { type UserRecord } from '../identity/user.record';
import { type OrganizationRecord } from '../organizations/organization.record';
import { SessionsRepository } from './sessions.repository';
import { RateLimiter } from '@switchboard/rate-limit';
import { perWindow, rateLimitKey } from '../common/rate-limits';
import { TokenIssuer } from './token-issuer.service';

/** What signUp, logIn, refreshSession and acceptInvitation answer. */
export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserRecord;
  organization: OrganizationRecord;
}

/** A session opened inside a transaction; its access token is signed after the commit. */
export interface OpenedSession {
  sessionId: string;
  refreshToken: string;
  user: UserRecord;
  organization: OrganizationRecord;
  role: Role;
  /** The membership's role (the token's scopes), also for a platform admin. */
  memberRole: 'CUSTOMER' | 'USER';
}

/**
 * Sessions and refresh tokens. A session is a family of refresh tokens: each refresh rotates
 * the presented token (it can never be used again) and issues the next one; presenting a
 * rotated token revokes the family. See domain/refresh-rotation.ts for the decision and the
 * README for the behaviour of concurrent refreshes.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly issuer: TokenIssuer,
    private readonly sessions: SessionsRepository,
    private readonly events: AccountsEvents,
    private readonly rateLimits: RateLimiter,
  ) {}

  /** The role in the token: the platform flag wins over the membership. */
  static roleOf(user: UserRecord, membershipRole: 'CUSTOMER' | 'USER'): Role {
    return user.isPlatformAdmin ? 'ADMIN' : membershipRole;
  }

  /** Opens a session in the transaction (tenant = the organization). */
  async open(
    tx: Tx,
    user: UserRecord,
    organization: OrganizationRecord,
    membershipRole: 'CUSTOMER' | 'USER',
  ): Promise<OpenedSession> {
    const now = this.clock.now();
    const sessionId = randomUUID();
    await this.sessions.insertSession(
      tx,
      { id: sessionId, orgId: organization.id, userId: user.id },
      now,
    );
    const refreshToken = await this.addRefreshToken(
      tx,
      { orgId: organization.id, sessionId, userId: user.id },
      now,
    );
    return {
      sessionId,
      refreshToken,
      user,
      organization,
      role: SessionsService.roleOf(user, membershipRole),
      memberRole: membershipRole,
    };
  }

  /** Signs the access token of an opened (and committed) session. */
  async complete(session: OpenedSession): Promise<AuthResult> {
    const access = await this.issuer.userToken({
      userId: session.user.id,
      orgId: session.organization.id,
      role: session.role,
      memberRole: session.memberRole,
      sessionId: session.sessionId,
    });
    return {
      accessToken: access.accessToken,
      expiresIn: access.expiresIn,
      refreshToken: session.refreshToken,
      user: session.user,
      organization: session.organization,
    };
  }

  /**
   * Rotates a refresh token; see the class comment. Rate-limited per client IP and per
   * presented token (RATE_LIMITED), every attempt counted.
   */
  async refresh(presented: string, meta: { ip: string }): Promise<AuthResult> {
    await this.rateLimits.enforce('refreshSession', [
      {
        key: rateLimitKey.ip(meta.ip),
        limit: perWindow(this.config, this.config.REFRESH_SESSION_MAX_PER_IP),
      },
      {
        key: rateLimitKey.token(presented ?? ''),
        limit: perWindow(this.config, this.config.REFRESH_SESSION_MAX_PER_TOKEN),
      },
    ]);
    if (!isOpaqueToken(OpaqueTokenPrefix.refresh, presented)) {
      throw new AccountsException(AccountsErrorCode.INVALID_TOKEN, 'Invalid refresh token');
    }
    const hash = hashToken(presented);
    const outcome = await inGlobalTransaction(
      this.dataSource,
      async (tx, enterTenant) => {
        const found = await this.sessions.findRefreshTokenByHash(tx, hash);
        if (!found) return { kind: 'invalid' as const };
        await enterTenant(found.orgId);
        const session = await this.sessions.lockSession(tx, found.sessionId);
        // Read again under the family lock: a concurrent refresh may have rotated it meanwhile.
        const token = await this.sessions.refreshTokenById(tx, found.id);
        if (!session || !token) return { kind: 'invalid' as const };
        const now = this.clock.now();
        const decision = decideRefresh(token, session, now);
        if (decision === 'reuse') {
          const revoked = await this.sessions.revokeSession(
            tx,
            session.id,
            'refresh token reused',
            now,
          );
          if (revoked) await this.reportReuse(tx, token.userId, token.orgId, session.id, now);
          return { kind: 'reused' as const };
        }
        if (decision !== 'rotate') return { kind: 'invalid' as const };

        const subject = await this.sessions.subjectOf(tx, token.userId, token.orgId);
        if (!subject || subject.organization.status === 'DELETED') {
          await this.sessions.revokeSession(tx, session.id, 'membership ended', now);
          return { kind: 'invalid' as const };
        }
        await this.sessions.markRotated(tx, token.id, session.id, now);
        const refreshToken = await this.addRefreshToken(
          tx,
          { orgId: token.orgId, sessionId: session.id, userId: token.userId },
          now,
        );
        const opened: OpenedSession = {
          sessionId: session.id,
          refreshToken,
          user: subject.user,
          organization: subject.organization,
          role: SessionsService.roleOf(subject.user, subject.role),
          memberRole: subject.role,
        };
        return { kind: 'rotated' as const, opened };
      },
      byTokenHash(hash),
    );
    switch (outcome.kind) {
      case 'rotated':
        return this.complete(outcome.opened);
      case 'reused':
        throw new AccountsException(
          AccountsErrorCode.REFRESH_TOKEN_REUSED,
          'This refresh token was already used; the session has been ended for safety',
        );
      default:
        throw new AccountsException(
          AccountsErrorCode.INVALID_TOKEN,
          'Invalid or expired refresh token',
        );
    }
  }

  /** Ends one session (log out): its refresh tokens stop working at once. */
  async logOut(orgId: string, userId: string, sessionId: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const session = await this.sessions.lockSession(tx, sessionId);
      if (!session || session.userId !== userId) return false;
      return this.sessions.revokeSession(tx, sessionId, 'logged out', this.clock.now());
    });
  }

  /** Ends every session of the user, in every organization. */
  async logOutEverywhere(userId: string): Promise<number> {
    return inGlobalTransaction(
      this.dataSource,
      (tx) =>
        this.sessions.revokeSessionsOfUser(tx, userId, 'logged out everywhere', this.clock.now()),
      asUser(userId),
    );
  }

  private async addRefreshToken(
    tx: Tx,
    family: { orgId: string; sessionId: string; userId: string },
    now: Date,
  ): Promise<string> {
    const token = generateOpaqueToken(OpaqueTokenPrefix.refresh);
    await this.sessions.insertRefreshToken(
      tx,
      {
        id: randomUUID(),
        ...family,
        tokenHash: hashToken(token),
        expiresAt: new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
      },
      now,
    );
    return token;
  }

  private async reportReuse(
    tx: Tx,
    userId: string,
    orgId: string,
    sessionId: string,
    now: Date,
  ): Promise<void> {
    await this.events.audit(tx, {
      actor: { kind: 'system', id: 'accounts' },
      action: 'session.revoke',
      orgId,
      resourceType: 'session',
      resourceId: sessionId,
      outcome: 'success',
      occurredAt: now,
      metadata: { reason: 'refresh token reused', user_id: userId },
    });
    const email = await this.sessions.emailOf(tx, userId);
    if (email) {
      await this.events.emailRequested(tx, {
        to: email,
        orgId,
        template: 'SECURITY_ALERT',
        variables: {
          event: 'A refresh token of one of your sessions was used twice; that session was ended.',
          time: now.toISOString(),
        },
      });
    }
  }

  /**
   * Ends the user's sessions visible to the transaction: in one organization (`orgId`, tenant
   * set) or in all (user setting). Returns how many were live.
   */
  endSessionsOfUser(tx: Tx, userId: string, reason: string, now: Date, orgId?: string) {
    return this.sessions.revokeSessionsOfUser(tx, userId, reason, now, orgId);
  }

  /** Ends every other session of the user (a password change keeps the current one). */
  endOtherSessionsOfUser(tx: Tx, userId: string, keepSessionId: string, reason: string, now: Date) {
    return this.sessions.revokeOtherSessionsOfUser(tx, userId, keepSessionId, reason, now);
  }
}
