import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { requireOrg, type Principal } from '@switchboard/auth';
import { AccountsErrorCode, AccountsException, notFound } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { callerOf, can, leavesNoOwner } from '../domain/role-rules';
import { AccountsEvents } from '../events/accounts-events';
import { actorOf } from '../common/actor';
import { SessionsService } from '../tokens/sessions.service';
import { ApiTokensService } from '../api-tokens/api-tokens.service';
import { MembershipsService } from '../organizations/memberships.service';
import { type MemberRecord } from '../organizations/member.record';

import { validRole } from './member-input';

/** Members of an organization: roles, removal (and leaving). */
@Injectable()
export class MembersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly memberships: MembershipsService,
    private readonly sessions: SessionsService,
    private readonly apiTokens: ApiTokensService,
    private readonly events: AccountsEvents,
  ) {}

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
    if (!can(callerOf(principal), self ? 'members.leave' : 'members.manage')) {
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
      await this.sessions.endSessionsOfUser(tx, userId, 'removed from organization', now, orgId);
      await this.apiTokens.revokeCreatedBy(tx, orgId, userId, principal, now);
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
}
