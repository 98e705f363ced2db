import { eventTablesMigration } from '@switchboard/service-kit';
import { AccountsSchema1700000000001 } from './1700000000001-accounts-schema';
import { RateLimits1700000000002 } from './1700000000002-rate-limits';
import { RateLimitActions1700000000003 } from './1700000000003-rate-limit-actions';
import { Retention1700000000040 } from './1700000000040-retention';
import { Privacy1700000000041 } from './1700000000041-privacy';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  AccountsSchema1700000000001,
  RateLimits1700000000002,
  RateLimitActions1700000000003,
  Retention1700000000040,
  Privacy1700000000041,
];
