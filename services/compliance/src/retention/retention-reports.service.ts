import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { DataSource, type EntityManager } from 'typeorm';
import type { complianceV1 } from '@switchboard/contracts';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { decodeRetentionCursor, encodeRetentionCursor } from './retention-cursor';
import type { RetentionReportRecord } from './retention-report.record';
import { RetentionReportsRepository } from './retention-reports.repository';

export const DEFAULT_REPORT_PAGE = 20;
export const MAX_REPORT_PAGE = 100;

export interface RetentionReportPage {
  items: { record: RetentionReportRecord; cursor: string }[];
  hasNextPage: boolean;
}

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
    const first = page.first ?? DEFAULT_REPORT_PAGE;
    if (!Number.isInteger(first) || first < 0 || first > MAX_REPORT_PAGE) {
      throw new ComplianceException(
        ComplianceErrorCode.INVALID_PAGINATION,
        `first must be between 0 and ${MAX_REPORT_PAGE}`,
      );
    }
    const after = page.after ? decodeRetentionCursor(page.after) : undefined;
    if (page.after && !after) {
      throw new ComplianceException(ComplianceErrorCode.INVALID_PAGINATION, 'Unknown cursor');
    }
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.reports.page(tx, after, first + 1),
    );
    return {
      items: found.slice(0, first).map((record) => ({
        record,
        cursor: encodeRetentionCursor({ finishedAt: record.finishedAt, id: record.id }),
      })),
      hasNextPage: found.length > first,
    };
  }
}
