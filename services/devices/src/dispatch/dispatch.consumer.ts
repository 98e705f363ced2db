import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { devicesV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { DispatchService } from './dispatch.service';

/**
 * `devices.dispatch.v1` from messaging. Thin: enters the event's tenant (from `ce_orgid`, which
 * the payload's org_id must match) and calls the service in the consumer's transaction (event id
 * recorded: a redelivery has no second effect). Commands that can never apply (no or mismatched
 * organization, bad recipient) are dead-lettered by the consumer, not retried.
 */
@Injectable()
export class DispatchConsumer {
  constructor(private readonly dispatch: DispatchService) {}

  // Writes only through tx (wake-ups are NOTIFYs, sent on commit): commands that arrive
  // together may share a transaction (KAFKA_BATCH_MAX).
  @OnEvent(Topics.devices.dispatch, { batchable: true })
  async onCommand(
    event: ConsumedEvent<typeof devicesV1.DispatchCommandSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const command = event.message;
    await enterEventTenant(tx, event, command.orgId);
    switch (command.command.case) {
      case 'dispatch':
        return this.dispatch.dispatch(tx, command, command.command.value);
      case 'cancel':
        return this.dispatch.cancel(tx, command, command.command.value.reason);
      default:
        throw invalid('no command set');
    }
  }
}

function invalid(why: string): DevicesException {
  return new DevicesException(DevicesErrorCode.INVALID_COMMAND, `Invalid dispatch command: ${why}`);
}
