import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { accountsV1, Topics } from '@switchboard/contracts';
import { applyOrganizationEvent, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { OrganizationService } from './organization.service';

/**
 * `accounts.organization.v1`: closure (deletion scheduled) stops the organization's fleet,
 * a canceled deletion reopens it, the purge (deleted) removes its rows. Thin: enters the
 * event's tenant, then one service call; other events concern no fleet.
 */
@Injectable()
export class OrganizationConsumer {
  constructor(private readonly organizations: OrganizationService) {}

  @OnEvent(Topics.accounts.organization)
  async onOrganization(
    event: ConsumedEvent<typeof accountsV1.OrganizationEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    await applyOrganizationEvent(tx, event, this.organizations);
  }
}
