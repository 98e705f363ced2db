import {
  PRIVACY_OPTIONS,
  PRIVACY_PARTICIPANT,
  privacyOptions,
  privacyProviders as kitPrivacyProviders,
} from '@switchboard/privacy';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';
import { AccountsPrivacyParticipant } from './accounts-privacy.participant';
import { AccountsPrivacyRepository } from './accounts-privacy.repository';

/** Privacy requests (libs/privacy): accounts' export sections and a user's erasure. */
export const privacyProviders = [
  ...kitPrivacyProviders,
  AccountsPrivacyRepository,
  { provide: PRIVACY_PARTICIPANT, useClass: AccountsPrivacyParticipant },
  {
    provide: PRIVACY_OPTIONS,
    useFactory: (config: AccountsConfig) => privacyOptions('accounts', config),
    inject: [ACCOUNTS_CONFIG],
  },
];
