import { servicePrivacyProviders } from '@switchboard/privacy';
import { ACCOUNTS_CONFIG } from '../config';
import { AccountsPrivacyParticipant } from './accounts-privacy.participant';
import { AccountsPrivacyRepository } from './accounts-privacy.repository';

/** Privacy requests (libs/privacy): accounts' export sections and a user's erasure. */
export const privacyProviders = [
  AccountsPrivacyRepository,
  ...servicePrivacyProviders({
    service: 'accounts',
    config: ACCOUNTS_CONFIG,
    participant: AccountsPrivacyParticipant,
  }),
];
