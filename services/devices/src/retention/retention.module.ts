import { Module } from '@nestjs/common';
import { serviceRetentionProviders } from '@switchboard/retention';
import { DEVICES_CONFIG } from '../config';
import { DeviceMessageRetentionRepository } from './device-message-retention.repository';
import { DeviceMessageRetentionSteps } from './device-message-retention.steps';

/** Retention (libs/retention): the policy projection, the job, the device messages steps. */
@Module({
  providers: [
    DeviceMessageRetentionRepository,
    DeviceMessageRetentionSteps,
    ...serviceRetentionProviders({
      service: 'devices',
      config: DEVICES_CONFIG,
      steps: [DeviceMessageRetentionSteps],
    }),
  ],
})
export class RetentionModule {}
