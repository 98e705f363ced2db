import { Module } from '@nestjs/common';
import {
  PRIVACY_OPTIONS,
  PRIVACY_PARTICIPANT,
  privacyOptions,
  privacyProviders,
} from '@switchboard/privacy';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { MessagingPrivacyParticipant } from './messaging-privacy.participant';
import { MessagingPrivacyRepository } from './messaging-privacy.repository';

/** Privacy requests (libs/privacy): messaging's export sections and erasure. */
@Module({
  providers: [
    ...privacyProviders,
    MessagingPrivacyRepository,
    { provide: PRIVACY_PARTICIPANT, useClass: MessagingPrivacyParticipant },
    {
      provide: PRIVACY_OPTIONS,
      useFactory: (config: MessagingConfig) => privacyOptions('messaging', config),
      inject: [MESSAGING_CONFIG],
    },
  ],
})
export class PrivacyModule {}
