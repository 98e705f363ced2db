import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { DataSource, type EntityManager } from 'typeorm';
import type { complianceV1 } from '@switchboard/contracts';
import { Clock, pageWindow, toPage, type Page } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { decodeRetentionCursor, encodeRetentionCursor } from './retention-cursor';
import type { RetentionReportRecord } from './retention-report.record';
import { RetentionReportsRepository } from './retention-reports.repository';

export const DEFAULT_REPORT_PAGE = 20;
export const MAX_REPORT_PAGE = 100;

export type RetentionReportPage = Page<RetentionReportRecord>;

/** The retention reports of every service: stored from Kafka, listed for `retentionReport`. */
@Injectable()
export class RetentionReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reports: RetentionReportsRepository,
    private readonly clock: Clock,
  ) {}

  /** Stores one report (in the consumer's transaction, tenant set); a duplicate is dropped. */
  async record(
    tx: EntityManager,
    orgId: string,
    eventId: string,
    report: complianceV1.RetentionReport,
  ): Promise<void> {
    const now = this.clock.now();
    const p = report.policy;
    await this.reports.insert(tx, {
      id: eventId,
      orgId,
      runId: report.runId,
      service: report.service,
      job: report.job,
      counts: Object.fromEntries(Object.entries(report.counts).map(([k, v]) => [k, Number(v)])),
      policy: p
        ? {
            bodyRetentionDays: p.bodyRetentionDays,
            metadataRetentionMonths: p.metadataRetentionMonths,
            auditRetentionDays: p.auditRetentionDays,
            requestLogRetentionDays: p.requestLogRetentionDays,
          }
        : null,
      policyVersion: Number(report.policyVersion),
      startedAt: report.startedAt ? timestampDate(report.startedAt) : now,
      finishedAt: report.finishedAt ? timestampDate(report.finishedAt) : now,
      recordedAt: now,
    });
  }

  /** The organization's reports, newest first (Relay connection). */
  async list(
    orgId: string,
    page: { first?: number | null; after?: string | null },
  ): Promise<RetentionReportPage> {
    const window = pageWindow(page, {
      decode: decodeRetentionCursor,
      invalid: (message) =>
        new ComplianceException(ComplianceErrorCode.INVALID_PAGINATION, message),
      defaultSize: DEFAULT_REPORT_PAGE,
      maxSize: MAX_REPORT_PAGE,
    });
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.reports.page(tx, window.after, window.limit + 1),
    );
    return toPage(found, window.limit, window.after !== undefined, (record) =>
      encodeRetentionCursor({ finishedAt: record.finishedAt, id: record.id }),
    );
  }
}
