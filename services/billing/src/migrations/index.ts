import { eventTablesMigration } from '@switchboard/service-kit';
import { BillingCore1740000000000 } from './1740000000000-billing-core';
import { DefaultPlan1740000000001 } from './1740000000001-default-plan';
import { MeterEvents1740000000002 } from './1740000000002-meter-events';
import { PlanChanges1740000000003 } from './1740000000003-plan-changes';
import { AutoRecharge1740000000004 } from './1740000000004-auto-recharge';
import { PrivacyRetention1740000000005 } from './1740000000005-privacy-retention';

/** Every migration of the service, in order. */
export const migrations = [
  eventTablesMigration(),
  BillingCore1740000000000,
  DefaultPlan1740000000001,
  MeterEvents1740000000002,
  PlanChanges1740000000003,
  AutoRecharge1740000000004,
  PrivacyRetention1740000000005,
];
