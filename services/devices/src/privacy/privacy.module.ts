import { Module } from '@nestjs/common';
import {
  PRIVACY_OPTIONS,
  PRIVACY_PARTICIPANT,
  privacyOptions,
  privacyProviders,
} from '@switchboard/privacy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DevicesPrivacyParticipant } from './devices-privacy.participant';
import { DevicesPrivacyRepository } from './devices-privacy.repository';

/** Privacy requests (libs/privacy): the devices' export sections and erasure. */
@Module({
  providers: [
    ...privacyProviders,
    DevicesPrivacyRepository,
    { provide: PRIVACY_PARTICIPANT, useClass: DevicesPrivacyParticipant },
    {
      provide: PRIVACY_OPTIONS,
      useFactory: (config: DevicesConfig) => privacyOptions('devices', config),
      inject: [DEVICES_CONFIG],
    },
  ],
})
export class PrivacyModule {}
