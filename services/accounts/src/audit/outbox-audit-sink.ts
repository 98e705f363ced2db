import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditEntry, AuditSink } from '@switchboard/auth';
import { inGlobalTransaction } from '@switchboard/tenancy';
import { AccountsEvents } from '../events/accounts-events';

/**
 * libs/auth's AUDIT_SINK for this service: platform-admin accesses (`@PlatformAdminOperation`)
 * go to `compliance.audit.v1` through the outbox, marked privileged with the admin's reason.
 * The interceptor fails the call when this throws, so no admin read goes unrecorded.
 */
@Injectable()
export class OutboxAuditSink implements AuditSink {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: AccountsEvents,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    // The outbox is not a tenant table: the audited organization travels in the event.
    await inGlobalTransaction(this.dataSource, (tx) =>
      this.events.audit(tx, {
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
      }),
    );
  }
}
