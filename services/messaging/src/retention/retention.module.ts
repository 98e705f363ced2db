import { Module } from '@nestjs/common';
import {
  RETENTION_OPTIONS,
  RetentionPolicyConsumer,
  RETENTION_STEPS,
  retentionOptions,
  retentionProviders,
} from '@switchboard/retention';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { MessageRetentionRepository } from './message-retention.repository';
import { MessageRetentionSteps } from './message-retention.steps';

/** Retention (libs/retention): the policy projection, the job, messaging's steps. */
@Module({
  providers: [
    ...retentionProviders,
    RetentionPolicyConsumer,
    MessageRetentionRepository,
    MessageRetentionSteps,
    {
      provide: RETENTION_OPTIONS,
      useFactory: (config: MessagingConfig) => retentionOptions('messaging', config),
      inject: [MESSAGING_CONFIG],
    },
    {
      provide: RETENTION_STEPS,
      useFactory: (steps: MessageRetentionSteps) => steps.all(),
      inject: [MessageRetentionSteps],
    },
  ],
})
export class RetentionModule {}
