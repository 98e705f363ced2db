import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import type { SqlRunner } from '@switchboard/tenancy';
import { TenantRepository } from '@switchboard/tenancy';
import { PolicyService } from '../policy/policy.service';
import { OrganizationRepository } from './organization.repository';

/**
 * What an organization's lifecycle (accounts.organization.v1) means for compliance, in the
 * consumer's tenant transaction. A new organization gets the default policy, published once.
 * Closure keeps everything (opt-outs are a legal hold); only the purge, which accounts sends
 * 30 days after closure, deletes the organization's opt-outs, consents, history and policy.
 */
@Injectable()
export class OrganizationService {
  private readonly logger = new Logger(OrganizationService.name);

  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly tenants: TenantRepository,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  async register(
    tx: EntityManager,
    orgId: string,
    org: { name: string; slug: string },
  ): Promise<void> {
    await this.tenants.register(tx, orgId);
    await this.organizations.upsert(tx, { orgId, ...org }, this.clock.now());
    await this.policies.ensure(tx, orgId);
  }

  /** The organization's name as accounts last published it ('' when not known yet). */
  async nameOf(tx: SqlRunner, orgId: string): Promise<string> {
    return (await this.organizations.find(tx, orgId))?.name ?? '';
  }

  async close(tx: EntityManager, orgId: string): Promise<void> {
    const at = this.clock.now();
    await this.tenants.setClosed(tx, orgId, at);
    await this.organizations.setClosed(tx, orgId, at);
  }

  async reopen(tx: EntityManager, orgId: string): Promise<void> {
    await this.tenants.setClosed(tx, orgId, null);
    await this.organizations.setClosed(tx, orgId, null);
  }

  async purge(tx: EntityManager, orgId: string): Promise<void> {
    const deleted = await this.organizations.purge(tx, orgId);
    await this.tenants.remove(tx, orgId);
    this.logger.log({ msg: 'organization purged', orgId, deleted });
  }
}
