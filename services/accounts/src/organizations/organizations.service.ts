import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { requireOrg, type Principal } from '@switchboard/auth';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsErrorCode, AccountsException, notFound } from '../common/accounts.exception';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { asUser, type Tx } from '../common/db-context';
import { canCancelClosure, closure, type OrganizationStatus } from '../domain/organization-rules';
import { AccountsEvents } from '../events/accounts-events';
import { MembershipsRepository } from './memberships.repository';
import { type MemberRecord, type MembershipRecord } from './member.record';
import { validCountry, validName, validTimezone } from './organization-input';
import { OrganizationsRepository } from './organizations.repository';
import { type OrganizationRecord } from './organization.record';
import { actorOf } from '../common/actor';

export interface OrganizationChanges {
  name?: string | null;
  timezone?: string | null;
  defaultCountry?: string | null;
}

/** Organizations: reading the caller's own, settings, closing and reopening, admin lookups. */
@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
    private readonly organizations: OrganizationsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: AccountsEvents,
  ) {}

  /**
   * The caller's organization. Asking for another id is answered exactly like an id that does
   * not exist: tenants cannot even learn which ids exist.
   */
  async organization(principal: Principal, id?: string | null): Promise<OrganizationRecord> {
    const own = requireOrg(principal);
    if (id && id.toLowerCase() !== own) throw notFound('Organization');
    const org = await this.organizations.findById(this.dataSource, own);
    if (!org || org.status === 'DELETED') throw notFound('Organization');
    return org;
  }

  /** For federation references: the organization if it is the caller's, else null. */
  async reference(
    principal: Principal | undefined,
    id: string,
  ): Promise<OrganizationRecord | null> {
    if (!principal || principal.kind === 'service' || principal.orgId !== id?.toLowerCase())
      return null;
    const org = await this.organizations.findById(this.dataSource, principal.orgId);
    return org && org.status !== 'DELETED' ? org : null;
  }

  /** Every organization the user belongs to, with the role in each. */
  async mine(
    userId: string,
  ): Promise<{ organization: OrganizationRecord; membership: MembershipRecord }[]> {
    return inGlobalTransaction(
      this.dataSource,
      async (tx) => {
        const memberships = await this.memberships.forUser(tx, userId);
        const orgs = await this.organizations.findByIds(
          tx,
          memberships.map((m) => m.orgId),
        );
        return memberships.flatMap((membership) => {
          const organization = orgs.find((o) => o.id === membership.orgId);
          return organization && organization.status !== 'DELETED'
            ? [{ organization, membership }]
            : [];
        });
      },
      asUser(userId),
    );
  }

  /** The members of the caller's organization (RLS: only its tenant's rows are visible). */
  async members(principal: Principal, orgId: string): Promise<MemberRecord[]> {
    if (orgId !== requireOrg(principal)) throw notFound('Organization');
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      return this.memberships.members(tx, orgId);
    });
  }

  async update(principal: Principal, changes: OrganizationChanges): Promise<OrganizationRecord> {
    const orgId = requireOrg(principal);
    const wanted: Partial<Pick<OrganizationRecord, 'name' | 'timezone' | 'defaultCountry'>> = {};
    if (changes.name != null) wanted.name = validName(changes.name);
    if (changes.timezone != null) wanted.timezone = validTimezone(changes.timezone);
    if (changes.defaultCountry != null)
      wanted.defaultCountry = validCountry(changes.defaultCountry);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const org = await this.organizations.findById(tx, orgId, { lock: true });
      if (!org || org.status === 'DELETED') throw notFound('Organization');
      const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
        (k) => wanted[k] !== org[k],
      );
      if (changed.length === 0) return org;
      const updated = await this.organizations.update(tx, orgId, wanted, now);
      const fieldNames: Record<string, string> = {
        name: 'name',
        timezone: 'timezone',
        defaultCountry: 'default_country',
      };
      await this.events.organizationUpdated(
        tx,
        updated,
        changed.map((c) => fieldNames[c]),
        now,
      );
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: 'organization.update',
        orgId,
        resourceType: 'organization',
        resourceId: orgId,
        outcome: 'success',
        occurredAt: now,
        metadata: { fields: changed.map((c) => fieldNames[c]).join(',') },
      });
      return updated;
    });
  }

  /** Closes the caller's organization: purged ORG_PURGE_DELAY_DAYS later unless cancelled. */
  async close(principal: Principal): Promise<OrganizationRecord> {
    const orgId = requireOrg(principal);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const org = await this.organizations.findById(tx, orgId, { lock: true });
      if (!org || org.status === 'DELETED') throw notFound('Organization');
      const decision = closure(org.status, now, this.config.ORG_PURGE_DELAY_DAYS);
      if (!decision.ok) {
        throw new AccountsException(
          AccountsErrorCode.ORGANIZATION_NOT_ACTIVE,
          'The organization is already closed',
        );
      }
      const closed = await this.organizations.update(
        tx,
        orgId,
        { status: 'PENDING_DELETION', closedAt: now, purgeAt: decision.purgeAt },
        now,
      );
      await this.events.deletionScheduled(tx, closed, now);
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: 'organization.close',
        orgId,
        resourceType: 'organization',
        resourceId: orgId,
        outcome: 'success',
        occurredAt: now,
        metadata: { purge_at: decision.purgeAt.toISOString() },
      });
      const owners = (await this.memberships.members(tx, orgId)).filter(
        (m) => m.role === 'CUSTOMER',
      );
      for (const owner of owners) {
        await this.events.emailRequested(tx, {
          to: owner.user.email,
          orgId,
          template: 'ORGANIZATION_DELETION_SCHEDULED',
          variables: { org_name: closed.name, purge_at: decision.purgeAt.toISOString() },
        });
      }
      return closed;
    });
  }

  async cancelClosure(principal: Principal): Promise<OrganizationRecord> {
    const orgId = requireOrg(principal);
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const org = await this.organizations.findById(tx, orgId, { lock: true });
      if (!org || org.status === 'DELETED') throw notFound('Organization');
      if (!canCancelClosure(org.status, org.purgeAt, now)) {
        throw new AccountsException(
          AccountsErrorCode.ORGANIZATION_NOT_CLOSED,
          'The organization is not awaiting deletion',
        );
      }
      await this.organizations.reopen(tx, orgId, now);
      const active = (await this.organizations.findById(tx, orgId))!;
      await this.events.deletionCanceled(tx, active, now);
      await this.events.audit(tx, {
        actor: actorOf(principal),
        action: 'organization.reopen',
        orgId,
        resourceType: 'organization',
        resourceId: orgId,
        outcome: 'success',
        occurredAt: now,
      });
      return active;
    });
  }

  /** Platform admins (audited by the caller's decorator): any organization. */
  async adminList(filter: {
    status?: OrganizationStatus;
    search?: string;
    first?: number;
    offset?: number;
  }) {
    const limit = Math.min(Math.max(filter.first ?? 50, 1), 200);
    return this.organizations.list(this.dataSource, {
      status: filter.status,
      search: filter.search?.trim() || undefined,
      limit,
      offset: Math.max(filter.offset ?? 0, 0),
    });
  }

  async adminGet(id: string): Promise<OrganizationRecord> {
    const org = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.organizations.findById(this.dataSource, id)
      : undefined;
    if (!org) throw notFound('Organization');
    return org;
  }

  /** The organization, read in the caller's transaction (tenant set). */
  findById(tx: Tx, orgId: string): Promise<OrganizationRecord | undefined> {
    return this.organizations.findById(tx, orgId);
  }

  /** Creates an organization in the caller's transaction (a sign-up). */
  insert(tx: Tx, organization: Parameters<OrganizationsRepository['insert']>[1], now: Date) {
    return this.organizations.insert(tx, organization, now);
  }

  findByIds(tx: Tx, ids: readonly string[]): Promise<OrganizationRecord[]> {
    return this.organizations.findByIds(tx, ids);
  }
}
