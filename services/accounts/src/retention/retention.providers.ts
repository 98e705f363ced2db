import { serviceRetentionProviders } from '@switchboard/retention';
import { ACCOUNTS_CONFIG } from '../config';

/**
 * Accounts' retention job (libs/retention): the event tables only (`outbox` rows published a
 * day ago, `processed_events` older than 35 days). Accounts holds no message data under the
 * organizations' periods; closed organizations are purged by the OrganizationPurgeJob.
 */
export const retentionProviders = serviceRetentionProviders({
  service: 'accounts',
  config: ACCOUNTS_CONFIG,
  policyConsumer: false,
});
