import { eventTablesMigration } from '@switchboard/service-kit';
import { Fleet1720000000000 } from './1720000000000-fleet';
import { OrganizationClosure1720000000001 } from './1720000000001-organization-closure';
import { EnrollmentApproval1720000000002 } from './1720000000002-enrollment-approval';
import { RateLimits1720000000003 } from './1720000000003-rate-limits';
import { Retention1720000000040 } from './1720000000040-retention';
import { Privacy1720000000041 } from './1720000000041-privacy';
import { DeviceApiBuckets1720000000050 } from './1720000000050-device-api-buckets';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  Fleet1720000000000,
  OrganizationClosure1720000000001,
  EnrollmentApproval1720000000002,
  RateLimits1720000000003,
  Retention1720000000040,
  Privacy1720000000041,
  DeviceApiBuckets1720000000050,
];
