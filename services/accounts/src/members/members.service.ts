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
import { AccountsErrorCode, AccountsException, notFound } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import {
  inGlobalTransaction,
  inTenantTransaction,
  isUniqueViolation,
  isUuid,
  rows,
} from '@switchboard/tenancy';
import { byTokenHash, type Tx } from '../common/db-context';
import { hashToken } from '../domain/opaque-token';
import { can, leavesNoOwner, MEMBER_ROLES, type MemberRole } from '../domain/role-rules';
import { AccountsEvents } from '../events/accounts-events';
import {
  checkPassword,
  IdentityService,
  validEmail,
  type ClientMeta,
} from '../identity/identity.service';
import { PasswordHasher } from '../identity/password-hasher';
import { DAY_SECONDS, RateLimiter, rateLimitKey } from '../identity/rate-limiter.service';
import { UsersRepository, type UserRecord } from '../identity/users.repository';
import { actorOf } from '../organizations/organizations.service';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { SessionsRepository } from '../tokens/sessions.repository';
import { SessionsService, type AuthResult } from '../tokens/sessions.service';
import { InvitationsRepository, type InvitationRecord } from './invitations.repository';
import { MembershipsRepository, type MemberRecord } from './memberships.repository';

export interface AcceptInvitationInput {
  token: string;
  /** Required when no account exists for the invited email yet. */
  password?: string | null;
  displayName?: string | null;
}

const invalidInvitation = () =>
  new AccountsException(AccountsErrorCode.INVALID_TOKEN, 'Invalid or expired invitation');

function validRole(role: string): MemberRole {
  if (!(MEMBER_ROLES as readonly string[]).includes(role)) {
    throw new AccountsException(AccountsErrorCode.INVALID_INPUT, 'Role must be CUSTOMER or USER');
  }
  return role as MemberRole;
}

/** Members of an organization: invitations, roles, removal (and leaving). */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly memberships: MembershipsRepository,
    private readonly invitations: InvitationsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly sessionRows: SessionsRepository,
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
      const existing = await this.users.findByEmail(tx, email);
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
            limit: this.rateLimits.perWindow(this.config.INVITATION_MAX_PER_IP),
          },
          {
            key: rateLimitKey.orgEmail(orgId, email),
            limit: this.rateLimits.perWindow(this.config.INVITATION_MAX_PER_EMAIL),
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
      const inviter = inviterId ? await this.users.findById(tx, inviterId) : undefined;
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
  async accept(input: AcceptInvitationInput): Promise<AuthResult> {
    if (!isOpaqueToken(OpaqueTokenPrefix.invitation, input.token)) throw invalidInvitation();
    const hash = hashToken(input.token);
    // Read first, to know whether a password has to be hashed (not inside the transaction).
    const preview = await inGlobalTransaction(
      this.dataSource,
      (tx) => this.invitations.findByHash(tx, hash),
      byTokenHash(hash),
    );
    if (!preview) throw invalidInvitation();
    const existing = await this.users.findByEmail(this.dataSource, preview.email);
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
        let user: UserRecord | undefined = await this.users.findByEmail(tx, invitation.email);
        if (!user) {
          if (!passwordHash) throw invalidInvitation();
          user = await this.users.insert(
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
          user = (await this.users.findById(tx, user.id))!;
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
        return this.accept({ ...input, password: null });
      throw error;
    }
  }

  /** Changes a member's role (owners only); the last owner cannot be demoted. */
  async updateRole(principal: Principal, userId: string, roleInput: string): Promise<MemberRecord> {
    const orgId = requireOrg(principal);
    const role = validRole(roleInput);
    if (!isUuid(userId)) throw notFound('Member');
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const owners = await this.memberships.lockOwners(tx, orgId);
      const membership = await this.memberships.find(tx, orgId, userId, { lock: true });
      if (!membership) throw notFound('Member');
      if (membership.role !== role) {
        if (leavesNoOwner(owners, { from: membership.role, to: role })) {
          throw new AccountsException(
            AccountsErrorCode.LAST_OWNER,
            'The last owner cannot be demoted',
          );
        }
        await this.memberships.updateRole(tx, orgId, userId, role, now);
        await this.events.membershipChanged(
          tx,
          { userId, orgId, kind: 'ROLE_CHANGED', role, previousRole: membership.role },
          now,
        );
        await this.events.audit(tx, {
          actor: actorOf(principal),
          action: 'membership.update',
          orgId,
          resourceType: 'membership',
          resourceId: userId,
          outcome: 'success',
          occurredAt: now,
          metadata: { role, previous_role: membership.role },
        });
      }
      return (await this.memberships.members(tx, orgId, [userId]))[0];
    });
  }

  /**
   * Removes a member (owners), or leaves (anyone, with their own id). The last owner can do
   * neither. The member's sessions in the organization end, and the API tokens they created
   * are revoked.
   */
  async remove(principal: Principal, userId: string): Promise<boolean> {
    const orgId = requireOrg(principal);
    const self = principal.kind === 'user' && principal.userId === userId;
    if (
      !can(
        principal.kind === 'user' ? { kind: 'user', role: principal.role } : principal,
        self ? 'members.leave' : 'members.manage',
      )
    ) {
      throw new AccountsException(
        AccountsErrorCode.FORBIDDEN,
        'Your role does not allow this operation',
      );
    }
    if (!isUuid(userId)) throw notFound('Member');
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const owners = await this.memberships.lockOwners(tx, orgId);
      const membership = await this.memberships.find(tx, orgId, userId, { lock: true });
      if (!membership) throw notFound('Member');
      if (leavesNoOwner(owners, { from: membership.role, to: 'REMOVED' })) {
        throw new AccountsException(
          AccountsErrorCode.LAST_OWNER,
          'The last owner cannot leave or be removed',
        );
      }
      await this.memberships.delete(tx, orgId, userId);
      await this.sessionRows.revokeSessionsOfUser(
        tx,
        userId,
        'removed from organization',
        now,
        orgId,
      );
      await this.revokeTokensCreatedBy(tx, orgId, userId, principal, now);
      await this.events.membershipChanged(
        tx,
        { userId, orgId, kind: 'REMOVED', previousRole: membership.role },
        now,
      );
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: self ? 'membership.leave' : 'membership.remove',
        orgId,
        resourceType: 'membership',
        resourceId: userId,
        outcome: 'success',
        occurredAt: now,
      });
      return true;
    });
  }

  private async revokeTokensCreatedBy(
    tx: Tx,
    orgId: string,
    userId: string,
    principal: Principal,
    now: Date,
  ) {
    const revoked = await rows<{ id: string }>(
      tx,
      `UPDATE api_tokens SET revoked_at = $3, revoked_by = $4
        WHERE org_id = $1 AND created_by = $2 AND revoked_at IS NULL RETURNING id`,
      [orgId, userId, now, principal.kind === 'user' ? principal.userId : null],
    );
    for (const token of revoked) {
      await this.events.apiTokenRevoked(
        tx,
        { id: token.id, orgId },
        principal.kind === 'user' ? principal.userId : undefined,
        'creator left the organization',
        now,
      );
    }
  }
}
