import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  generateOpaqueToken,
  isOpaqueToken,
  OpaqueTokenPrefix,
  requireOrg,
  type Principal,
} from '@switchboard/auth';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import {
  inGlobalTransaction,
  inTenantTransaction,
  isUniqueViolation,
  isUuid,
} from '@switchboard/tenancy';
import { byTokenHash } from '../common/db-context';
import { hashToken } from '../domain/opaque-token';
import { AccountsEvents } from '../events/accounts-events';
import { IdentityService } from '../identity/identity.service';
import { checkPassword, validEmail } from '../identity/identity-input';
import { PasswordHasher } from '../identity/password-hasher';
import { RateLimiter } from '@switchboard/rate-limit';
import { DAY_SECONDS, perWindow, rateLimitKey } from '../common/rate-limits';
import type { ClientMeta } from '../common/request-meta';
import { UsersService } from '../identity/users.service';
import { type UserRecord } from '../identity/user.record';
import { actorOf } from '../common/actor';
import { OrganizationsService } from '../organizations/organizations.service';
import { SessionsService, type AuthResult } from '../tokens/sessions.service';
import { InvitationsRepository } from './invitations.repository';
import { type InvitationRecord } from './invitation.record';
import { MembershipsService } from '../organizations/memberships.service';

import { validRole } from './member-input';

export interface AcceptInvitationInput {
  token: string;
  /** Required when no account exists for the invited email yet. */
  password?: string | null;
  displayName?: string | null;
}

const invalidInvitation = () =>
  new AccountsException(AccountsErrorCode.INVALID_TOKEN, 'Invalid or expired invitation');

/**
 * Invitations to an organization: sent by owners (a one-time link by mail), accepted by the
 * invited person (joining, creating the account if needed, and signing in there).
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly invitations: InvitationsRepository,
    private readonly memberships: MembershipsService,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly identity: IdentityService,
    private readonly hasher: PasswordHasher,
    private readonly rateLimits: RateLimiter,
    private readonly events: AccountsEvents,
  ) {}

  /**
   * Invites someone by email; the mail carries a one-time link. A newer invitation replaces
   * older ones. Rate-limited per client IP, per invited email in the organization and per
   * organization and day (INVITATION_MAX_PER_IP, _PER_EMAIL, _PER_ORG_PER_DAY); only
   * invitations that are sent count.
   */
  async invite(
    principal: Principal,
    emailInput: string,
    roleInput: string,
    meta: ClientMeta,
  ): Promise<InvitationRecord> {
    const orgId = requireOrg(principal);
    const email = validEmail(emailInput);
    const role = validRole(roleInput);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const org = await this.organizations.findById(tx, orgId);
      if (!org || org.status !== 'ACTIVE') {
        throw new AccountsException(
          AccountsErrorCode.ORGANIZATION_NOT_ACTIVE,
          'The organization is closed',
        );
      }
      const existing = await this.users.findByEmail(email, tx);
      if (existing && (await this.memberships.find(tx, orgId, existing.id))) {
        throw new AccountsException(
          AccountsErrorCode.ALREADY_MEMBER,
          'This person is already a member',
        );
      }
      await this.rateLimits.enforce(
        'inviteMember',
        [
          {
            key: rateLimitKey.ip(meta.ip),
            limit: perWindow(this.config, this.config.INVITATION_MAX_PER_IP),
          },
          {
            key: rateLimitKey.orgEmail(orgId, email),
            limit: perWindow(this.config, this.config.INVITATION_MAX_PER_EMAIL),
          },
          {
            key: rateLimitKey.org(orgId),
            limit: { max: this.config.INVITATION_MAX_PER_ORG_PER_DAY, windowSeconds: DAY_SECONDS },
          },
        ],
        tx,
      );
      await this.invitations.revokePendingFor(tx, orgId, email, now);
      const token = generateOpaqueToken(OpaqueTokenPrefix.invitation);
      const inviterId = principal.kind === 'user' ? principal.userId : null;
      const invitation = await this.invitations.insert(
        tx,
        {
          id: randomUUID(),
          orgId,
          email,
          role,
          tokenHash: hashToken(token),
          invitedBy: inviterId,
          expiresAt: new Date(now.getTime() + this.config.INVITATION_TTL_SECONDS * 1000),
        },
        now,
      );
      const inviter = inviterId ? await this.users.findById(inviterId, tx) : undefined;
      await this.events.emailRequested(tx, {
        to: email,
        orgId,
        template: 'INVITATION',
        variables: {
          link: this.identity.link('/accept-invitation', token),
          org_name: org.name,
          inviter_name: inviter?.displayName || inviter?.email || 'A teammate',
        },
      });
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: 'invitation.create',
        orgId,
        resourceType: 'invitation',
        resourceId: invitation.id,
        outcome: 'success',
        occurredAt: now,
        metadata: { role },
      });
      return invitation;
    });
  }
  async pendingInvitations(principal: Principal): Promise<InvitationRecord[]> {
    const orgId = requireOrg(principal);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      return this.invitations.pending(tx, orgId, this.clock.now());
    });
  }
  async revokeInvitation(principal: Principal, id: string): Promise<boolean> {
    const orgId = requireOrg(principal);
    if (!isUuid(id)) return false;
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      return this.invitations.revoke(tx, orgId, id, this.clock.now());
    });
  }
  /**
   * Accepts an invitation with the link's token: joins the organization (creating the account
   * when the email has none; the mailed link proves the address) and opens a session there.
   */
  async accept(input: AcceptInvitationInput, meta: ClientMeta): Promise<AuthResult> {
    await this.rateLimits.enforce('acceptInvitation', [
      {
        key: rateLimitKey.ip(meta.ip),
        limit: perWindow(this.config, this.config.ACCEPT_INVITATION_MAX_PER_IP),
      },
      {
        key: rateLimitKey.token(input.token ?? ''),
        limit: perWindow(this.config, this.config.ACCEPT_INVITATION_MAX_PER_TOKEN),
      },
    ]);
    return this.join(input);
  }
  private async join(input: AcceptInvitationInput): Promise<AuthResult> {
    if (!isOpaqueToken(OpaqueTokenPrefix.invitation, input.token)) throw invalidInvitation();
    const hash = hashToken(input.token);
    // Read first, to know whether a password has to be hashed (not inside the transaction).
    const preview = await inGlobalTransaction(
      this.dataSource,
      (tx) => this.invitations.findByHash(tx, hash),
      byTokenHash(hash),
    );
    if (!preview) throw invalidInvitation();
    const existing = await this.users.findByEmail(preview.email);
    let passwordHash: string | null = null;
    if (!existing) {
      if (!input.password) {
        throw new AccountsException(
          AccountsErrorCode.WEAK_PASSWORD,
          'Choose a password to create your account',
          {
            details: { problem: 'missing' },
          },
        );
      }
      checkPassword(input.password, preview.email);
      passwordHash = await this.hasher.hash(input.password);
    }
    try {
      const opened = await inTenantTransaction(this.dataSource, preview.orgId, async (tx) => {
        const now = this.clock.now();
        const invitation = await this.invitations.lock(tx, preview.id);
        if (
          !invitation ||
          invitation.acceptedAt ||
          invitation.revokedAt ||
          invitation.expiresAt <= now
        ) {
          throw invalidInvitation();
        }
        const org = await this.organizations.findById(tx, invitation.orgId);
        if (!org || org.status !== 'ACTIVE') throw invalidInvitation();
        let user: UserRecord | undefined = await this.users.findByEmail(invitation.email, tx);
        if (!user) {
          if (!passwordHash) throw invalidInvitation();
          user = await this.users.create(
            tx,
            {
              id: randomUUID(),
              email: invitation.email,
              displayName: (input.displayName ?? '').trim().slice(0, 100),
              passwordHash,
              emailVerifiedAt: now,
            },
            now,
          );
          await this.events.userCreated(tx, user, now);
        } else if (!user.emailVerifiedAt) {
          await this.users.markEmailVerified(tx, user.id, user.email, now);
          user = (await this.users.findById(user.id, tx))!;
        }
        let membership = await this.memberships.find(tx, org.id, user.id);
        if (!membership) {
          membership = await this.memberships.insert(
            tx,
            { orgId: org.id, userId: user.id, role: invitation.role },
            now,
          );
          await this.events.membershipChanged(
            tx,
            { userId: user.id, orgId: org.id, kind: 'ADDED', role: invitation.role },
            now,
          );
        }
        await this.invitations.markAccepted(tx, invitation.id, user.id, now);
        await this.events.audit(tx, {
          actor: { kind: 'user', id: user.id, orgId: org.id },
          action: 'invitation.accept',
          orgId: org.id,
          resourceType: 'invitation',
          resourceId: invitation.id,
          outcome: 'success',
          occurredAt: now,
        });
        return this.sessions.open(tx, user, org, membership.role);
      });
      return await this.sessions.complete(opened);
    } catch (error) {
      // Two acceptances racing to create the same account: the loser retries as existing user.
      if (isUniqueViolation(error, 'users_email_key'))
        return this.join({ ...input, password: null });
      throw error;
    }
  }
}
