import { eventTablesMigration } from '@switchboard/service-kit';
import { ComplianceCore1730000000000 } from './1730000000000-compliance-core';
import { AuditLog1730000000100 } from './1730000000100-audit-log';
import { AuditExports1730000000101 } from './1730000000101-audit-exports';
import { AuditPruneBatches1730000000102 } from './1730000000102-audit-prune-batches';
import { Retention1730000000200 } from './1730000000200-retention';
import { Privacy1730000000201 } from './1730000000201-privacy';

/**
 * Every migration of the service, in order. Timestamps by feature so parallel work does not
 * collide: core 17300000000xx, audit 17300000001xx, retention/privacy/downloads 17300000002xx.
 */
export const migrations = [
  eventTablesMigration(),
  ComplianceCore1730000000000,
  AuditLog1730000000100,
  AuditExports1730000000101,
  AuditPruneBatches1730000000102,
  Retention1730000000200,
  Privacy1730000000201,
];
