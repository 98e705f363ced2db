import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntry, AuditSink } from '@switchboard/auth';
import { inGlobalTransaction } from '@switchboard/tenancy';
import type { AuditRecord } from './audit-event';
import { OutboxWriter } from './events.module';

/** A platform-admin access (libs/auth's AuditEntry) as an audit log entry. */
export function adminAccessRecord(entry: AuditEntry): AuditRecord {
  return {
    actor: entry.actor,
    action: entry.action,
    orgId: entry.targetOrgId,
    resourceType: entry.resourceType ?? entry.action.split('.')[0],
    resourceId: entry.resourceId,
    privileged: true,
    reason: entry.reason,
    outcome: entry.outcome === 'success' ? 'success' : 'failure',
    correlationId: entry.correlationId,
    occurredAt: entry.occurredAt,
  };
}

/**
 * libs/auth's AUDIT_SINK for any service with an outbox: platform-admin accesses
 * (`@PlatformAdminOperation`) go to `compliance.audit.v1`, marked privileged with the admin's
 * reason. The interceptor fails the call when this throws, so no admin read goes unrecorded.
 *
 *   providers: [{ provide: AUDIT_SINK, useClass: OutboxAuditSink }]
 */
@Injectable()
export class OutboxAuditSink implements AuditSink {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    // The outbox is not a tenant table: the audited organization travels in the event.
    await inGlobalTransaction(this.dataSource, (tx) =>
      this.outbox.audit(tx, adminAccessRecord(entry)),
    );
  }
}
