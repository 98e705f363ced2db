import { eventTablesMigration } from '@switchboard/service-kit';
import { BillingCore1740000000000 } from './1740000000000-billing-core';
import { DefaultPlan1740000000001 } from './1740000000001-default-plan';
import { MeterEvents1740000000002 } from './1740000000002-meter-events';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  BillingCore1740000000000,
  DefaultPlan1740000000001,
  MeterEvents1740000000002,
];
