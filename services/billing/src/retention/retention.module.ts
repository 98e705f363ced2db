import { Module } from '@nestjs/common';
import { serviceRetentionProviders } from '@switchboard/retention';
import { BILLING_CONFIG } from '../config';

/**
 * Retention (libs/retention): billing's event tables only — published outbox rows (audit entries
 * name their actors) after a day, processed event ids after 35 days. Its own tables hold no
 * message text or phone number, and its ledgers are financial records (see the privacy
 * participant's legal hold).
 */
@Module({
  providers: [
    ...serviceRetentionProviders({
      service: 'billing',
      config: BILLING_CONFIG,
      policyConsumer: false,
    }),
  ],
})
export class RetentionModule {}
