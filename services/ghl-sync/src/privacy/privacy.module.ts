import { Module } from '@nestjs/common';
import { servicePrivacyProviders } from '@switchboard/privacy';
import { GHL_SYNC_CONFIG } from '../config';
import { GhlPrivacyParticipant } from './ghl-privacy.participant';
import { GhlPrivacyRepository } from './ghl-privacy.repository';

/** ghl-sync's part of GDPR/CCPA requests (libs/privacy). */
@Module({
  providers: [
    GhlPrivacyRepository,
    ...servicePrivacyProviders({
      service: 'ghl-sync',
      config: GHL_SYNC_CONFIG,
      participant: GhlPrivacyParticipant,
    }),
  ],
})
export class PrivacyModule {}
