import type { RetentionPeriods } from '@switchboard/retention';

/** One stored retention report: what one job of one service did in one run. */
export interface RetentionReportRecord {
  id: string;
  orgId: string;
  runId: string;
  service: string;
  job: string;
  counts: Record<string, number>;
  /** The periods the run applied; null for platform-level reports. */
  policy: RetentionPeriods | null;
  policyVersion: number;
  startedAt: Date;
  finishedAt: Date;
  recordedAt: Date;
}

/** The nil UUID: the tenant of platform-level reports (event tables of every service). */
export const PLATFORM_TENANT = '00000000-0000-0000-0000-000000000000';
