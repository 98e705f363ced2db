import {
  RETENTION_OPTIONS,
  RETENTION_STEPS,
  retentionOptions,
  retentionProviders as kitRetentionProviders,
} from '@switchboard/retention';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config';

/**
 * Accounts' retention job (libs/retention): the event tables only (`outbox` rows published a
 * day ago, `processed_events` older than 35 days). Accounts holds no message data under the
 * organizations' periods; closed organizations are purged by the OrganizationPurgeJob.
 */
export const retentionProviders = [
  ...kitRetentionProviders,
  {
    provide: RETENTION_OPTIONS,
    useFactory: (config: AccountsConfig) => retentionOptions('accounts', config),
    inject: [ACCOUNTS_CONFIG],
  },
  { provide: RETENTION_STEPS, useValue: [] },
];
