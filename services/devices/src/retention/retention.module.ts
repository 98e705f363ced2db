import { Module } from '@nestjs/common';
import {
  RETENTION_OPTIONS,
  RetentionPolicyConsumer,
  RETENTION_STEPS,
  retentionOptions,
  retentionProviders,
} from '@switchboard/retention';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceMessageRetentionRepository } from './device-message-retention.repository';
import { DeviceMessageRetentionSteps } from './device-message-retention.steps';

/** Retention (libs/retention): the policy projection, the job, the device messages steps. */
@Module({
  providers: [
    ...retentionProviders,
    RetentionPolicyConsumer,
    DeviceMessageRetentionRepository,
    DeviceMessageRetentionSteps,
    {
      provide: RETENTION_OPTIONS,
      useFactory: (config: DevicesConfig) => retentionOptions('devices', config),
      inject: [DEVICES_CONFIG],
    },
    {
      provide: RETENTION_STEPS,
      useFactory: (steps: DeviceMessageRetentionSteps) => steps.all(),
      inject: [DeviceMessageRetentionSteps],
    },
  ],
})
export class RetentionModule {}
