import { Module } from '@nestjs/common';
import { servicePrivacyProviders } from '@switchboard/privacy';
import { DEVICES_CONFIG } from '../config';
import { DevicesPrivacyParticipant } from './devices-privacy.participant';
import { DevicesPrivacyRepository } from './devices-privacy.repository';

/** Privacy requests (libs/privacy): the devices' export sections and erasure. */
@Module({
  providers: [
    DevicesPrivacyRepository,
    ...servicePrivacyProviders({
      service: 'devices',
      config: DEVICES_CONFIG,
      participant: DevicesPrivacyParticipant,
    }),
  ],
})
export class PrivacyModule {}
