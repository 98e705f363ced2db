import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException, notFound } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, isUniqueViolation } from '@switchboard/tenancy';
import { asUser, setUser, type Tx } from '../common/db-context';
import { isValidEmail, normalizeEmail } from '../domain/email-address';
import { AccountsEvents } from '../events/accounts-events';
import { MembershipsService } from '../organizations/memberships.service';
import { newOrganizationInput } from '../organizations/organization-input';
import { OrganizationsService } from '../organizations/organizations.service';
import { SessionsService, type AuthResult } from '../tokens/sessions.service';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { RateLimiter } from '@switchboard/rate-limit';
import { perWindow, rateLimitKey } from '../common/rate-limits';
import type { ClientMeta } from '../common/request-meta';
import { UserTokensRepository } from './user-tokens.repository';
import { UsersRepository } from './users.repository';
import { type UserRecord } from './user.record';
import { checkPassword, validEmail } from './identity-input';

export interface SignUpInput {
  email: string;
  password: string;
  displayName?: string | null;
  organizationName: string;
  organizationSlug?: string | null;
  timezone?: string | null;
  defaultCountry?: string | null;
}

export interface LogInInput {
  email: string;
  password: string;
  /** Which of the user's organizations to sign in to; the oldest membership otherwise. */
  organizationSlug?: string | null;
}

const invalidCredentials = () =>
  new AccountsException(AccountsErrorCode.INVALID_CREDENTIALS, 'Wrong email or password');

/** People: sign up, log in, email verification, passwords. */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly rateLimits: RateLimiter,
    private readonly users: UsersRepository,
    private readonly userTokens: UserTokensRepository,
    private readonly organizations: OrganizationsService,
    private readonly memberships: MembershipsService,
    private readonly sessions: SessionsService,
    private readonly events: AccountsEvents,
  ) {}

  /**
   * Creates the user, the organization and the owner membership, and opens a session.
   * Rate-limited per client IP (SIGNUP_MAX_PER_IP): input mistakes do not count, every attempt
   * that gets as far as the database does (EMAIL_TAKEN and SLUG_TAKEN too).
   */
  async signUp(input: SignUpInput, meta: ClientMeta): Promise<AuthResult> {
    const email = validEmail(input.email);
    checkPassword(input.password, email);
    const org = newOrganizationInput({
      name: input.organizationName,
      slug: input.organizationSlug,
      timezone: input.timezone,
      defaultCountry: input.defaultCountry,
    });
    await this.rateLimits.enforce('signUp', [
      {
        key: rateLimitKey.ip(meta.ip),
        limit: perWindow(this.config, this.config.SIGNUP_MAX_PER_IP),
      },
    ]);
    const passwordHash = await this.hasher.hash(input.password);
    return this.createAccount({ email, displayName: input.displayName, passwordHash }, org);
  }

  /** Sign-up with a Google identity whose email Google verified: no password, no verification mail. */
  async signUpWithGoogle(
    input: Omit<SignUpInput, 'password'> & { googleSubject: string },
  ): Promise<AuthResult> {
    const org = newOrganizationInput({
      name: input.organizationName ?? '',
      slug: input.organizationSlug,
      timezone: input.timezone,
      defaultCountry: input.defaultCountry,
    });
    return this.createAccount(
      {
        email: validEmail(input.email),
        displayName: input.displayName,
        passwordHash: null,
        googleSubject: input.googleSubject,
      },
      org,
    );
  }

  private async createAccount(
    account: {
      email: string;
      displayName?: string | null;
      passwordHash: string | null;
      googleSubject?: string;
    },
    org: ReturnType<typeof newOrganizationInput>,
  ): Promise<AuthResult> {
    const displayName = (account.displayName ?? '').trim().slice(0, 100);
    try {
      const opened = await inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
        const now = this.clock.now();
        const user = await this.users.insert(
          tx,
          {
            id: randomUUID(),
            email: account.email,
            displayName,
            passwordHash: account.passwordHash,
            googleSubject: account.googleSubject ?? null,
            emailVerifiedAt: account.googleSubject ? now : null,
          },
          now,
        );
        const organization = await this.organizations.insert(tx, { id: randomUUID(), ...org }, now);
        await enterTenant(organization.id);
        await this.memberships.insert(
          tx,
          { orgId: organization.id, userId: user.id, role: 'CUSTOMER' },
          now,
        );
        await this.events.organizationCreated(tx, organization, now);
        await this.events.userCreated(tx, user, now);
        await this.events.membershipChanged(
          tx,
          { userId: user.id, orgId: organization.id, kind: 'ADDED', role: 'CUSTOMER' },
          now,
        );
        if (!user.emailVerifiedAt) await this.sendVerification(tx, user, now);
        return this.sessions.open(tx, user, organization, 'CUSTOMER');
      });
      return await this.sessions.complete(opened);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) {
        throw new AccountsException(
          AccountsErrorCode.EMAIL_TAKEN,
          'An account with this email already exists',
        );
      }
      if (isUniqueViolation(error, 'organizations_slug_key')) {
        throw new AccountsException(
          AccountsErrorCode.SLUG_TAKEN,
          'This organization slug is taken',
          {
            details: { slug: org.slug },
          },
        );
      }
      throw error;
    }
  }

  /**
   * Password login. Throttled per account and IP; an unknown email costs the same bcrypt
   * comparison as a known one and gets the same INVALID_CREDENTIALS.
   */
  async logIn(input: LogInInput, meta: ClientMeta): Promise<AuthResult> {
    const email = normalizeEmail(input.email ?? '');
    const attempt = await this.throttle.begin(email, meta.ip);
    const user = isValidEmail(email)
      ? await this.users.findByEmail(this.dataSource, email)
      : undefined;
    const ok = await this.hasher.verify(input.password ?? '', user?.passwordHash);
    if (!user || !ok) {
      // On the platform chain: the attempt belongs to no organization yet. Never the email.
      await inGlobalTransaction(this.dataSource, (tx) =>
        this.events.audit(tx, {
          actor: { kind: 'user', id: user?.id ?? 'unknown' },
          action: 'user.login',
          resourceType: 'user',
          resourceId: user?.id,
          outcome: 'failure',
          occurredAt: this.clock.now(),
          metadata: {
            method: 'password',
            reason: user ? 'wrong password' : 'unknown email',
            ip: meta.ip,
          },
        }),
      );
      throw invalidCredentials();
    }
    await this.throttle.succeeded(attempt);
    return this.openSessionFor(user, input.organizationSlug ?? undefined, {
      method: 'password',
      ip: meta.ip,
    });
  }

  /** Opens a session in one of the user's organizations (password and Google logins). */
  async openSessionFor(
    user: UserRecord,
    organizationSlug?: string,
    login: { method: 'password' | 'google'; ip?: string } = { method: 'password' },
  ): Promise<AuthResult> {
    const opened = await inGlobalTransaction(
      this.dataSource,
      async (tx, enterTenant) => {
        const memberships = await this.memberships.forUser(tx, user.id);
        const organizations = await this.organizations.findByIds(
          tx,
          memberships.map((m) => m.orgId),
        );
        const live = memberships
          .map((m) => ({ m, org: organizations.find((o) => o.id === m.orgId) }))
          .filter((x) => x.org && x.org.status !== 'DELETED');
        const chosen = organizationSlug
          ? live.find((x) => x.org!.slug === organizationSlug)
          : live[0];
        if (!chosen) {
          throw new AccountsException(
            AccountsErrorCode.NO_ORGANIZATION,
            organizationSlug
              ? 'You are not a member of this organization'
              : 'You are not a member of any organization',
          );
        }
        await enterTenant(chosen.org!.id);
        const session = await this.sessions.open(tx, user, chosen.org!, chosen.m.role);
        await this.events.audit(tx, {
          actor: { kind: 'user', id: user.id, orgId: chosen.org!.id },
          action: 'user.login',
          orgId: chosen.org!.id,
          resourceType: 'session',
          resourceId: session.sessionId,
          outcome: 'success',
          occurredAt: this.clock.now(),
          metadata: { method: login.method, ...(login.ip ? { ip: login.ip } : {}) },
        });
        return session;
      },
      asUser(user.id),
    );
    return this.sessions.complete(opened);
  }

  async me(userId: string): Promise<UserRecord> {
    const user = await this.users.findById(this.dataSource, userId);
    if (!user) throw notFound('User');
    return user;
  }

  async verifyEmail(token: string): Promise<UserRecord> {
    return inGlobalTransaction(this.dataSource, async (tx) => {
      const now = this.clock.now();
      const used = await this.userTokens.consume(tx, token ?? '', 'VERIFY_EMAIL', now);
      if (!used || !(await this.users.markEmailVerified(tx, used.userId, used.email, now))) {
        throw new AccountsException(
          AccountsErrorCode.INVALID_TOKEN,
          'Invalid or expired verification link',
        );
      }
      return (await this.users.findById(tx, used.userId))!;
    });
  }

  /**
   * Sends a new verification mail (the earlier link stops working). Rate-limited per client IP
   * and per address (VERIFICATION_EMAIL_MAX_PER_IP, VERIFICATION_EMAIL_MAX_PER_EMAIL).
   */
  async resendVerification(userId: string, meta: ClientMeta): Promise<boolean> {
    return inGlobalTransaction(this.dataSource, async (tx) => {
      const user = await this.users.findById(tx, userId);
      if (!user) throw notFound('User');
      if (user.emailVerifiedAt) return false;
      await this.rateLimits.enforce(
        'resendVerificationEmail',
        [
          {
            key: rateLimitKey.ip(meta.ip),
            limit: perWindow(this.config, this.config.VERIFICATION_EMAIL_MAX_PER_IP),
          },
          {
            key: rateLimitKey.email(user.email),
            limit: perWindow(this.config, this.config.VERIFICATION_EMAIL_MAX_PER_EMAIL),
          },
        ],
        tx,
      );
      await this.sendVerification(tx, user, this.clock.now());
      return true;
    });
  }

  /**
   * Mails a reset link if the account exists; answers the same either way. Rate-limited per
   * client IP (PASSWORD_RESET_MAX_PER_IP: TOO_MANY_ATTEMPTS) and per address, known or not
   * (PASSWORD_RESET_MAX_PER_EMAIL): past that one it still answers `true` but mails nothing, so
   * neither the answer nor the limit tells whether the account exists.
   */
  async requestPasswordReset(email: string, meta: ClientMeta): Promise<true> {
    const normalized = normalizeEmail(email ?? '');
    await this.rateLimits.enforce('requestPasswordReset', [
      {
        key: rateLimitKey.ip(meta.ip),
        limit: perWindow(this.config, this.config.PASSWORD_RESET_MAX_PER_IP),
      },
    ]);
    if (!isValidEmail(normalized)) return true;
    const key = rateLimitKey.email(normalized);
    const perEmail = await this.rateLimits.consume('requestPasswordReset', [
      { key, limit: perWindow(this.config, this.config.PASSWORD_RESET_MAX_PER_EMAIL) },
    ]);
    if (!perEmail.allowed) {
      this.logger.warn({
        msg: 'password reset not mailed: too many requests for this address',
        key,
        retryAfterSeconds: perEmail.retryAfterSeconds,
      });
      return true;
    }
    await inGlobalTransaction(this.dataSource, async (tx) => {
      const user = await this.users.findByEmail(tx, normalized);
      if (!user) return;
      const now = this.clock.now();
      const token = await this.userTokens.issue(
        tx,
        {
          userId: user.id,
          email: user.email,
          purpose: 'PASSWORD_RESET',
          ttlSeconds: this.config.PASSWORD_RESET_TTL_SECONDS,
        },
        now,
      );
      await this.events.emailRequested(tx, {
        to: user.email,
        template: 'PASSWORD_RESET',
        variables: { link: this.link('/reset-password', token) },
      });
    });
    return true;
  }

  /**
   * Sets a new password with a reset link; every session of the user ends. Rate-limited per
   * client IP and per presented token (RATE_LIMITED), every attempt counted.
   */
  async resetPassword(token: string, newPassword: string, meta: ClientMeta): Promise<true> {
    await this.rateLimits.enforce('resetPassword', [
      {
        key: rateLimitKey.ip(meta.ip),
        limit: perWindow(this.config, this.config.RESET_PASSWORD_MAX_PER_IP),
      },
      {
        key: rateLimitKey.token(token ?? ''),
        limit: perWindow(this.config, this.config.RESET_PASSWORD_MAX_PER_TOKEN),
      },
    ]);
    const now = this.clock.now();
    // The link is used up only if the whole change commits (a weak password keeps it valid).
    return inGlobalTransaction(this.dataSource, async (tx) => {
      const used = await this.userTokens.consume(tx, token ?? '', 'PASSWORD_RESET', now);
      if (!used)
        throw new AccountsException(
          AccountsErrorCode.INVALID_TOKEN,
          'Invalid or expired reset link',
        );
      checkPassword(newPassword, used.email);
      const hash = await this.hasher.hash(newPassword);
      await this.users.setPassword(tx, used.userId, hash, now);
      // Whoever could read the mailbox now controls the account: the address is verified.
      await this.users.markEmailVerified(tx, used.userId, used.email, now);
      await setUser(tx, used.userId);
      await this.sessions.endSessionsOfUser(tx, used.userId, 'password reset', now);
      await this.events.audit(tx, {
        actor: { kind: 'user', id: used.userId },
        action: 'user.password_reset',
        resourceType: 'user',
        resourceId: used.userId,
        outcome: 'success',
        occurredAt: now,
        metadata: { ip: meta.ip },
      });
      await this.userTokens.revokeAll(tx, used.userId, 'PASSWORD_RESET', now);
      await this.events.emailRequested(tx, {
        to: used.email,
        template: 'SECURITY_ALERT',
        variables: {
          event: 'Your password was reset and every session was ended.',
          time: now.toISOString(),
        },
      });
      return true as const;
    });
  }

  /**
   * Changes the password of a signed-in user; the user's other sessions end. Rate-limited per
   * user (RATE_LIMITED), every attempt counted: a stolen session cannot guess the current
   * password at speed.
   */
  async changePassword(
    userId: string,
    sessionId: string,
    current: string,
    next: string,
  ): Promise<true> {
    await this.rateLimits.enforce('changePassword', [
      {
        key: rateLimitKey.user(userId),
        limit: perWindow(this.config, this.config.CHANGE_PASSWORD_MAX_PER_USER),
      },
    ]);
    const user = await this.me(userId);
    if (!(await this.hasher.verify(current ?? '', user.passwordHash))) throw invalidCredentials();
    checkPassword(next, user.email);
    const hash = await this.hasher.hash(next);
    await inGlobalTransaction(this.dataSource, async (tx) => {
      const now = this.clock.now();
      await this.users.setPassword(tx, user.id, hash, now);
      await setUser(tx, user.id);
      await this.sessions.endOtherSessionsOfUser(tx, user.id, sessionId, 'password changed', now);
      await this.events.audit(tx, {
        actor: { kind: 'user', id: user.id },
        action: 'user.password_change',
        resourceType: 'user',
        resourceId: user.id,
        outcome: 'success',
        occurredAt: now,
        metadata: { session_id: sessionId },
      });
      await this.events.emailRequested(tx, {
        to: user.email,
        template: 'SECURITY_ALERT',
        variables: {
          event: 'Your password was changed; your other sessions were ended.',
          time: now.toISOString(),
        },
      });
    });
    return true;
  }

  async sendVerification(tx: Tx, user: UserRecord, now: Date): Promise<void> {
    const token = await this.userTokens.issue(
      tx,
      {
        userId: user.id,
        email: user.email,
        purpose: 'VERIFY_EMAIL',
        ttlSeconds: this.config.EMAIL_VERIFICATION_TTL_SECONDS,
      },
      now,
    );
    await this.events.emailRequested(tx, {
      to: user.email,
      template: 'VERIFY_EMAIL',
      variables: { link: this.link('/verify-email', token) },
    });
  }

  link(path: string, token: string): string {
    const url = new URL(path, this.config.APP_BASE_URL);
    url.searchParams.set('token', token);
    return url.toString();
  }
}
