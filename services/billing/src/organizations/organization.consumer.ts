import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountsV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { PlansService } from '../plans/plans.service';

/**
 * `accounts.organization.v1`: a new organization gets the default plan, an empty wallet and
 * its first quota. Thin: enters the event's tenant, one service call.
 */
@Injectable()
export class OrganizationConsumer {
  constructor(private readonly plans: PlansService) {}

  @OnEvent(Topics.accounts.organization)
  async onOrganization(
    event: ConsumedEvent<typeof accountsV1.OrganizationEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    if (event.message.event.case === 'created') await this.plans.register(tx, orgId);
  }
}
