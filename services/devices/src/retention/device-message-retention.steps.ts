import { Injectable } from '@nestjs/common';
import { countedStep, type RetentionStep } from '@switchboard/retention';
import { Clock } from '@switchboard/service-kit';
import { DeviceMessageRetentionRepository } from './device-message-retention.repository';

/**
 * The devices' retention steps on `device_messages` (one row per dispatch attempt): bodies
 * emptied `bodyRetentionDays` after the row's final state (rows ending FAILED, DELIVERED or
 * CANCELED already drop theirs; SENT, EXPIRED and RELEASED rows kept theirs until now), rows
 * purged `metadataRetentionMonths` after it.
 */
@Injectable()
export class DeviceMessageRetentionSteps {
  constructor(
    private readonly repository: DeviceMessageRetentionRepository,
    private readonly clock: Clock,
  ) {}

  all(): RetentionStep[] {
    return [
      countedStep('device-message-bodies', 'bodies_redacted', (tx, cut, limit) =>
        this.repository.redactBodies(tx, cut.bodiesBefore, this.clock.now(), limit),
      ),
      countedStep('device-message-metadata', 'device_messages_purged', (tx, cut, limit) =>
        this.repository.purge(tx, cut.metadataBefore, limit),
      ),
    ];
  }
}
