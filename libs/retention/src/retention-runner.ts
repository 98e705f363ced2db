import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { DataSource, EntityManager } from 'typeorm';
import { Topics } from '@switchboard/contracts';
import { LeaderLease, PeriodicJob, type JobLogger, type OutboxWriter } from '@switchboard/events';
import type { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import type { EventTablesRepository } from './event-tables.repository';
import {
  EVENT_TABLE_RETENTION,
  retentionCutoffs,
  type RetentionCutoffs,
  type RetentionPeriods,
} from './retention-periods';
import type { RetentionPolicyStore } from './retention-policy.store';

export type RetentionCounts = Record<string, number>;

/** One kind of retention work of a service (e.g. redacting message bodies). */
export interface RetentionStep {
  /** The job's name in reports (e.g. "message-bodies"). */
  job: string;
  /**
   * One batch for one organization, in its tenant transaction: at most `limit` rows changed.
   * `more`: the batch was full, another follows at once.
   */
  batch(
    tx: EntityManager,
    cutoffs: RetentionCutoffs,
    limit: number,
    orgId: string,
  ): Promise<{ counts: RetentionCounts; more: boolean }>;
}

export interface RetentionReportLine {
  orgId: string | null;
  job: string;
  counts: RetentionCounts;
  policyVersion: number;
  periods?: RetentionPeriods;
}

export interface RetentionRunSummary {
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  /** What changed (lines without any change are not reported). */
  reports: RetentionReportLine[];
}

export interface RetentionRunnerOptions {
  service: string;
  dataSource: DataSource;
  store: RetentionPolicyStore;
  eventTables: EventTablesRepository;
  outbox: OutboxWriter;
  clock: Clock;
  steps: RetentionStep[];
  /** Rows per batch (each batch is its own transaction): never one giant statement. */
  batchSize?: number;
  logger?: JobLogger;
}

const total = (counts: RetentionCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

function addCounts(into: RetentionCounts, more: RetentionCounts): void {
  for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
}

/**
 * One service's retention run: for every organization of the policy projection, each step in
 * batches (one tenant transaction per batch, so a run never holds a long transaction or
 * deletes millions of rows in one statement), then the event tables (`outbox` rows published a
 * day ago, `processed_events` older than 35 days). Idempotent: a second run finds nothing left.
 * Every (organization, job) that changed something is reported on
 * `compliance.retention-report.v1` through the outbox, with the periods in force; the event
 * tables are reported as a platform-level line (no organization) on every run, so each run
 * leaves a record even when it had nothing to do.
 */
export class RetentionRunner {
  private readonly batchSize: number;

  constructor(private readonly o: RetentionRunnerOptions) {
    this.batchSize = o.batchSize ?? 1000;
  }

  async runOnce(): Promise<RetentionRunSummary> {
    const runId = randomUUID();
    const startedAt = this.o.clock.now();
    const lines: RetentionReportLine[] = [];
    for (const tenant of await this.o.store.all(this.o.dataSource)) {
      const cutoffs = retentionCutoffs(tenant.periods, this.o.clock.now());
      for (const step of this.o.steps) {
        const counts: RetentionCounts = {};
        try {
          for (;;) {
            const result = await inTenantTransaction(this.o.dataSource, tenant.orgId, (tx) =>
              step.batch(tx, cutoffs, this.batchSize, tenant.orgId),
            );
            addCounts(counts, result.counts);
            if (!result.more) break;
          }
        } catch (error) {
          this.o.logger?.warn('retention step failed for a tenant', {
            job: step.job,
            orgId: tenant.orgId,
            error: (error as Error).message,
          });
        }
        if (total(counts) > 0) {
          lines.push({
            orgId: tenant.orgId,
            job: step.job,
            counts,
            policyVersion: tenant.policyVersion,
            periods: tenant.periods,
          });
        }
      }
    }
    // The platform-level line is reported on every run, changes or not: it is the record
    // that the service's job ran (organizations' lines only when something changed).
    const events = await this.pruneEventTables();
    lines.push({ orgId: null, job: 'event-tables', counts: events, policyVersion: 0 });
    const finishedAt = this.o.clock.now();
    for (const line of lines) await this.report(runId, startedAt, finishedAt, line);
    return { runId, startedAt, finishedAt, reports: lines };
  }

  private async pruneEventTables(): Promise<RetentionCounts> {
    const now = this.o.clock.now().getTime();
    const counts: RetentionCounts = { outbox_deleted: 0, processed_events_deleted: 0 };
    const outboxBefore = new Date(now - EVENT_TABLE_RETENTION.publishedOutboxMs);
    const processedBefore = new Date(now - EVENT_TABLE_RETENTION.processedEventsMs);
    for (;;) {
      const n = await inGlobalTransaction(this.o.dataSource, (tx) =>
        this.o.eventTables.deletePublishedOutbox(tx, outboxBefore, this.batchSize),
      );
      counts.outbox_deleted += n;
      if (n < this.batchSize) break;
    }
    for (;;) {
      const n = await inGlobalTransaction(this.o.dataSource, (tx) =>
        this.o.eventTables.deleteProcessedEvents(tx, processedBefore, this.batchSize),
      );
      counts.processed_events_deleted += n;
      if (n < this.batchSize) break;
    }
    return counts;
  }

  private async report(
    runId: string,
    startedAt: Date,
    finishedAt: Date,
    line: RetentionReportLine,
  ): Promise<void> {
    const event = {
      runId,
      orgId: line.orgId ?? '',
      service: this.o.service,
      job: line.job,
      startedAt: timestampFromDate(startedAt),
      finishedAt: timestampFromDate(finishedAt),
      counts: Object.fromEntries(Object.entries(line.counts).map(([k, v]) => [k, BigInt(v)])),
      policy: line.periods,
      policyVersion: BigInt(line.policyVersion),
    };
    const draft = {
      topic: Topics.compliance.retentionReport,
      key: line.orgId ?? this.o.service,
      event,
      time: finishedAt,
    };
    if (line.orgId) {
      const orgId = line.orgId;
      await inTenantTransaction(this.o.dataSource, orgId, (tx) =>
        this.o.outbox.add(tx, { ...draft, orgId }),
      );
    } else {
      await inGlobalTransaction(this.o.dataSource, (tx) => this.o.outbox.add(tx, draft));
    }
  }
}

/** The service's retention job: a PeriodicJob on the leader replica (`retention:<service>`). */
export function retentionJob(
  runner: RetentionRunner,
  options: { service: string; connectionString: string; intervalMs: number; logger?: JobLogger },
): PeriodicJob {
  return new PeriodicJob({
    name: `${options.service} retention`,
    intervalMs: options.intervalMs,
    initialDelayMs: Math.min(options.intervalMs, 60_000),
    lease: new LeaderLease({
      connectionString: options.connectionString,
      name: `retention:${options.service}`,
      logger: options.logger,
    }),
    logger: options.logger,
    run: async () => void (await runner.runOnce()),
  });
}
