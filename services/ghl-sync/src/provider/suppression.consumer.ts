import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { complianceV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { DndService } from './dnd.service';

/**
 * `compliance.suppression.v1`: opt-outs (STOP) and keyword opt-ins become GHL's SMS DND of the
 * contact. Thin: enters the event's tenant, one service call.
 */
@Injectable()
export class SuppressionConsumer {
  constructor(private readonly dnd: DndService) {}

  @OnEvent(Topics.compliance.suppression)
  async onSuppression(
    event: ConsumedEvent<typeof complianceV1.SuppressionStateSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const m = event.message;
    const phone = m.phoneNumber?.e164;
    if (!phone) return;
    const orgId = await enterEventTenant(tx, event, m.orgId);
    await this.dnd.onSuppression(tx, orgId, {
      phone,
      optedOut: m.optedOut,
      source: complianceV1.ConsentSource[m.optOutSource],
      changedAt: m.optedOutChangedAt ? timestampDate(m.optedOutChangedAt) : undefined,
    });
  }
}
