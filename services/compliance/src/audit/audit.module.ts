import { Module } from '@nestjs/common';
import { AUDIT_SINK } from '@switchboard/auth';
import { OutboxAuditSink } from '@switchboard/events';
import { AuditExportController } from './audit-export.controller';
import { AuditExportsService } from './audit-exports.service';
import { AuditLogConsumer } from './audit-log.consumer';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogResolver } from './audit-log.resolver';
import { AuditLogService } from './audit-log.service';

/**
 * The audit log: consumer, GraphQL, JSON-lines exports behind signed links, retention pruning
 * (AuditLogService.prune, exported). Also
 * this service's AUDIT_SINK: a platform admin's access here is itself an audit event.
 */
@Module({
  controllers: [AuditExportController],
  providers: [
    AuditLogRepository,
    AuditLogService,
    AuditExportsService,
    AuditLogConsumer,
    AuditLogResolver,
    { provide: AUDIT_SINK, useClass: OutboxAuditSink },
  ],
  exports: [AuditLogService],
})
export class AuditModule {}
