import { Injectable } from '@nestjs/common';
import { countedStep, type RetentionStep } from '@switchboard/retention';
import { Clock } from '@switchboard/service-kit';
import { AuditLogService } from '../audit/audit-log.service';
import { PrivacyRequestsRepository } from '../privacy/privacy-requests.repository';

/**
 * Compliance's own retention steps: audit log entries older than `auditRetentionDays` (the
 * audit feature's prune keeps a checkpoint, so the chain stays verifiable), and the stored
 * documents of exports whose download link has expired (the request row stays, as the record
 * that it was answered).
 */
@Injectable()
export class ComplianceRetentionSteps {
  constructor(
    private readonly requests: PrivacyRequestsRepository,
    private readonly auditLog: AuditLogService,
    private readonly clock: Clock,
  ) {}

  all(): RetentionStep[] {
    return [
      countedStep('audit-log', 'audit_entries_pruned', (tx, cut, limit, orgId) =>
        this.auditLog.pruneBatch(tx, orgId, cut.auditBefore, limit),
      ),
      countedStep('export-documents', 'export_chunks_deleted', (tx, _cut, limit) =>
        this.requests.deleteExpiredDocuments(tx, this.clock.now(), limit),
      ),
    ];
  }
}
