import { eventTablesMigration } from '@switchboard/service-kit';
import { MessagingTables1700000000100 } from './1700000000100-messaging-tables';
import { SendLimitsAndPurgedOrganizations1700000000101 } from './1700000000101-send-limits-and-purged-organizations';
import { SendRateBuckets1700000000102 } from './1700000000102-send-rate-buckets';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  MessagingTables1700000000100,
  SendLimitsAndPurgedOrganizations1700000000101,
  SendRateBuckets1700000000102,
];
