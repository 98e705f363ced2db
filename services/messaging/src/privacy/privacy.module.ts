import { Module } from '@nestjs/common';
import { servicePrivacyProviders } from '@switchboard/privacy';
import { MESSAGING_CONFIG } from '../config';
import { MessagingPrivacyParticipant } from './messaging-privacy.participant';
import { MessagingPrivacyRepository } from './messaging-privacy.repository';

/** Privacy requests (libs/privacy): messaging's export sections and erasure. */
@Module({
  providers: [
    MessagingPrivacyRepository,
    ...servicePrivacyProviders({
      service: 'messaging',
      config: MESSAGING_CONFIG,
      participant: MessagingPrivacyParticipant,
    }),
  ],
})
export class PrivacyModule {}
