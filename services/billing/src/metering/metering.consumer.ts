import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { messagingV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { isMeteredEvent, MeteringService } from './metering.service';

/**
 * `messaging.message.v1` → the usage ledger. Thin: enters the event's tenant, one call. Events
 * metering ignores (inbound, DISPATCHED, RECEIVED, MEDIA_STORED) are skipped before any database
 * work.
 */
@Injectable()
export class MeteringConsumer {
  constructor(private readonly metering: MeteringService) {}

  // Writes only through tx: events arriving together are metered in one transaction.
  @OnEvent(Topics.messaging.message, {
    relevant: (event) => isMeteredEvent(event.message),
    batchable: true,
  })
  async onMessage(
    event: ConsumedEvent<typeof messagingV1.MessageEventSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    await this.metering.onMessageEvent(tx, orgId, event.message);
  }
}
