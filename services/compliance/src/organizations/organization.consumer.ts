import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountsV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { OrganizationService } from './organization.service';

/**
 * `accounts.organization.v1`: a created or updated organization is registered (its name for the
 * replies, its default policy published once), closure and reopening are noted, the purge
 * (deleted) removes its rows. Thin: enters the event's tenant, then one service call.
 */
@Injectable()
export class OrganizationConsumer {
  constructor(private readonly organizations: OrganizationService) {}

  @OnEvent(Topics.accounts.organization)
  async onOrganization(
    event: ConsumedEvent<typeof accountsV1.OrganizationEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const change = event.message.event;
    switch (change.case) {
      case 'created':
      case 'updated':
        return this.organizations.register(tx, orgId, {
          name: change.value.organization?.name ?? '',
          slug: change.value.organization?.slug ?? '',
        });
      case 'deletionScheduled':
        return this.organizations.close(tx, orgId);
      case 'deletionCanceled':
        return this.organizations.reopen(tx, orgId);
      case 'deleted':
        return this.organizations.purge(tx, orgId);
      default:
        return;
    }
  }
}
