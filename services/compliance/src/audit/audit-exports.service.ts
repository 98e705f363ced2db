import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxWriter, type AuditRecord } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { COMPLIANCE_CONFIG, type ComplianceConfig } from '../config';
import { signDownloadToken, verifyDownloadToken } from '../domain/download-token';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLogService, checkFilter, type AuditLogFilterInput } from './audit-log.service';

/** What the signed token of an audit export names (distinct from other download kinds). */
const tokenSubject = (id: string) => `audit-log:${id}`;

export interface AuditExportLink {
  id: string;
  url: string;
  expiresAt: Date;
}

export interface AuditExportDownload {
  filename: string;
  /** The entries as JSON lines, streamed from the log (constant memory). */
  lines: AsyncIterable<string>;
}

/**
 * Exports of the audit log as JSON lines, downloadable for a limited time through a signed link
 * (`GET /downloads/audit-log/:id?token=…` through the gateway). Asking for an export and each
 * download are audited.
 */
@Injectable()
export class AuditExportsService {
  constructor(
    @Inject(COMPLIANCE_CONFIG) private readonly config: ComplianceConfig,
    private readonly dataSource: DataSource,
    private readonly log: AuditLogRepository,
    private readonly auditLog: AuditLogService,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async request(
    orgId: string,
    filterInput: AuditLogFilterInput | null | undefined,
    actor: AuditRecord['actor'],
  ): Promise<AuditExportLink> {
    const filter = checkFilter(filterInput);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.DOWNLOAD_LINK_TTL_SECONDS * 1000);
    const id = randomUUID();
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.log.insertExport(tx, {
        orgId,
        id,
        filter,
        requestedBy: actor.id,
        createdAt: now,
        expiresAt,
      });
      await this.outbox.audit(tx, {
        actor,
        action: 'audit_log.export',
        orgId,
        resourceType: 'audit_log',
        resourceId: id,
        outcome: 'success',
        occurredAt: now,
        metadata: Object.fromEntries(
          Object.entries(filter).map(([key, value]) => [
            key,
            value instanceof Date ? value.toISOString() : String(value),
          ]),
        ),
      });
    });
    const token = signDownloadToken(
      this.config.DOWNLOAD_SIGNING_SECRET,
      tokenSubject(id),
      orgId,
      expiresAt,
    );
    const base = this.config.PUBLIC_DOWNLOAD_BASE_URL.replace(/\/+$/, '');
    return {
      id,
      url: `${base}/downloads/audit-log/${id}?token=${encodeURIComponent(token)}`,
      expiresAt,
    };
  }

  /** The export behind a valid, unexpired link (AUDIT_EXPORT_NOT_FOUND otherwise). */
  async open(id: string, token: string): Promise<AuditExportDownload> {
    const notFound = new ComplianceException(
      ComplianceErrorCode.AUDIT_EXPORT_NOT_FOUND,
      'No such export, or the link has expired',
    );
    if (!isUuid(id)) throw notFound;
    const now = this.clock.now();
    const valid = verifyDownloadToken(
      this.config.DOWNLOAD_SIGNING_SECRET,
      tokenSubject(id.toLowerCase()),
      token,
      now,
    );
    if (!valid) throw notFound;
    const { orgId } = valid;
    const found = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const stored = await this.log.findExport(tx, orgId, id.toLowerCase());
      if (!stored || stored.expiresAt <= now) return undefined;
      await this.outbox.audit(tx, {
        actor: { kind: 'system', id: 'download-link' },
        action: 'audit_log.download',
        orgId,
        resourceType: 'audit_log',
        resourceId: stored.id,
        outcome: 'success',
        occurredAt: now,
      });
      return stored;
    });
    if (!found) throw notFound;
    return {
      filename: `audit-log-${found.createdAt.toISOString().slice(0, 10)}-${found.id}.jsonl`,
      lines: this.auditLog.exportJsonLines(orgId, found.filter),
    };
  }
}
