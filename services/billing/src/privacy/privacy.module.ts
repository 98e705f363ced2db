import { Module } from '@nestjs/common';
import { servicePrivacyProviders } from '@switchboard/privacy';
import { BILLING_CONFIG } from '../config';
import { BillingPrivacyParticipant } from './billing-privacy.participant';
import { BillingPrivacyRepository } from './billing-privacy.repository';

/** Privacy requests (libs/privacy): billing's export sections and legal holds. */
@Module({
  providers: [
    BillingPrivacyRepository,
    ...servicePrivacyProviders({
      service: 'billing',
      config: BILLING_CONFIG,
      participant: BillingPrivacyParticipant,
    }),
  ],
})
export class PrivacyModule {}
