import { Module } from '@nestjs/common';
import { serviceRetentionProviders } from '@switchboard/retention';
import { GHL_SYNC_CONFIG } from '../config';
import { GhlSyncModule } from '../ghl-sync.module';
import { GhlRetentionRepository } from './ghl-retention.repository';
import { GhlRetentionSteps } from './ghl-retention.steps';

/** ghl-sync's retention job (libs/retention): its steps, then its event tables. */
@Module({
  imports: [GhlSyncModule],
  providers: [
    GhlRetentionRepository,
    GhlRetentionSteps,
    ...serviceRetentionProviders({
      service: 'ghl-sync',
      config: GHL_SYNC_CONFIG,
      steps: [GhlRetentionSteps],
    }),
  ],
})
export class RetentionModule {}
