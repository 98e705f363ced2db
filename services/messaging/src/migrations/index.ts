import { eventTablesMigration } from '@switchboard/service-kit';
import { MessagingTables1700000000100 } from './1700000000100-messaging-tables';
import { SendLimitsAndPurgedOrganizations1700000000101 } from './1700000000101-send-limits-and-purged-organizations';
import { SendRateBuckets1700000000102 } from './1700000000102-send-rate-buckets';
import { ComplianceProjections1700000000103 } from './1700000000103-compliance-projections';
import { Retention1700000000140 } from './1700000000140-retention';
import { Privacy1700000000141 } from './1700000000141-privacy';
import { Quota1700000000150 } from './1700000000150-quota';
import { Webhooks1700000000160 } from './1700000000160-webhooks';
import { WebhookRetention1700000000161 } from './1700000000161-webhook-retention';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  MessagingTables1700000000100,
  SendLimitsAndPurgedOrganizations1700000000101,
  SendRateBuckets1700000000102,
  ComplianceProjections1700000000103,
  Retention1700000000140,
  Privacy1700000000141,
  Quota1700000000150,
  Webhooks1700000000160,
  WebhookRetention1700000000161,
];
