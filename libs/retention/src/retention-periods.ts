/**
 * Retention periods of one organization and the cut-off times they give. Pure: no clock, no
 * database. The defaults are the seeds' (SPEC §4): bodies redacted 7 days after the message's
 * final status, metadata purged after 24 months, audit kept 90 days, request logs 30 days.
 */
export interface RetentionPeriods {
  bodyRetentionDays: number;
  metadataRetentionMonths: number;
  auditRetentionDays: number;
  requestLogRetentionDays: number;
}

export const DEFAULT_RETENTION: Readonly<RetentionPeriods> = Object.freeze({
  bodyRetentionDays: 7,
  metadataRetentionMonths: 24,
  auditRetentionDays: 90,
  requestLogRetentionDays: 30,
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** A policy's periods with every unset (0) value replaced by its default. */
export function effectivePeriods(policy: Partial<RetentionPeriods> | undefined): RetentionPeriods {
  const pick = (value: number | undefined, fallback: number): number =>
    value && value > 0 ? value : fallback;
  return {
    bodyRetentionDays: pick(policy?.bodyRetentionDays, DEFAULT_RETENTION.bodyRetentionDays),
    metadataRetentionMonths: pick(
      policy?.metadataRetentionMonths,
      DEFAULT_RETENTION.metadataRetentionMonths,
    ),
    auditRetentionDays: pick(policy?.auditRetentionDays, DEFAULT_RETENTION.auditRetentionDays),
    requestLogRetentionDays: pick(
      policy?.requestLogRetentionDays,
      DEFAULT_RETENTION.requestLogRetentionDays,
    ),
  };
}

/** `months` calendar months before `date` (UTC; the 31st of a shorter month clamps to its end). */
export function monthsBefore(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d;
}

export interface RetentionCutoffs {
  /** Bodies of messages whose final status is older than this are redacted. */
  bodiesBefore: Date;
  /** Messages (metadata) whose final status is older than this are purged. */
  metadataBefore: Date;
  /** Audit entries older than this may go. */
  auditBefore: Date;
  /** Request and delivery logs older than this go. */
  requestLogsBefore: Date;
}

/** The cut-off times of an organization's periods at `now`. */
export function retentionCutoffs(periods: RetentionPeriods, now: Date): RetentionCutoffs {
  return {
    bodiesBefore: new Date(now.getTime() - periods.bodyRetentionDays * DAY_MS),
    metadataBefore: monthsBefore(now, periods.metadataRetentionMonths),
    auditBefore: new Date(now.getTime() - periods.auditRetentionDays * DAY_MS),
    requestLogsBefore: new Date(now.getTime() - periods.requestLogRetentionDays * DAY_MS),
  };
}

/**
 * How long the event tables keep rows (every service). Published outbox rows hold payloads
 * with message bodies, so they go after the shortest allowed body retention (1 day).
 * `processed_events` must outlive every redelivery of a non-forever topic (30 days at most) so
 * a duplicate is still recognised; 35 days leaves a margin.
 */
export const EVENT_TABLE_RETENTION = Object.freeze({
  publishedOutboxMs: 1 * DAY_MS,
  processedEventsMs: 35 * DAY_MS,
});
