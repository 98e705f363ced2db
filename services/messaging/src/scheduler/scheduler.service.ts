import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { backoffDelay, sleep } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { setTenant } from '@switchboard/tenancy';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { MessagesService } from '../messages/messages.service';
import { JobsRepository, type ScheduledJob } from './jobs.repository';

/**
 * Runs due timers: scheduled sends (dispatch at scheduledAt) and expiries (at validUntil).
 * Survives restarts (the queue is a table) and is safe with replicas: each batch is claimed
 * with `FOR UPDATE SKIP LOCKED` in the transaction that also applies the jobs and writes their
 * commands to the outbox, so a job is done exactly once or, after a crash, not at all and again.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private running = false;
  private loop?: Promise<void>;
  private readonly stopping = { aborted: false };
  private readonly jobsRun;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly jobs: JobsRepository,
    private readonly messages: MessagesService,
    metrics: Metrics,
  ) {
    this.jobsRun = metrics.counter('messaging_scheduler_jobs_total', 'Scheduler jobs run.', [
      'kind',
      'outcome',
    ]);
  }

  onApplicationBootstrap(): void {
    if (!this.config.SCHEDULER_ENABLED) return;
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.stopping.aborted = true;
    await this.loop;
  }

  /** Runs one batch of due jobs; returns how many were claimed. */
  async runDueJobs(limit = this.config.SCHEDULER_BATCH_SIZE): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      const due = await this.jobs.claimDue(tx, limit);
      for (const job of due) await this.runOne(tx, job);
      return due.length;
    });
  }

  private async runOne(tx: EntityManager, job: ScheduledJob): Promise<void> {
    await tx.query('SAVEPOINT job');
    try {
      await setTenant(tx, job.tenantId);
      if (job.kind === 'dispatch') await this.messages.dispatchScheduled(tx, job.messageId);
      else await this.messages.expire(tx, job.messageId);
      await tx.query('RELEASE SAVEPOINT job');
      this.jobsRun.inc({ kind: job.kind, outcome: 'done' });
    } catch (error) {
      // One bad job must not hold back the batch: undo its part, try it again later.
      await tx.query('ROLLBACK TO SAVEPOINT job');
      const message = (error as Error).message;
      this.logger.warn({
        msg: 'scheduler job failed; retrying later',
        job: job.id,
        kind: job.kind,
        error: message,
      });
      await this.jobs.retryLater(tx, job, message, backoffDelay(job.attempts + 1, 1000, 300_000));
      this.jobsRun.inc({ kind: job.kind, outcome: 'retry' });
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const claimed = await this.runDueJobs();
        failures = 0;
        if (claimed < this.config.SCHEDULER_BATCH_SIZE) {
          await sleep(this.config.SCHEDULER_POLL_INTERVAL_MS, this.stopping);
        }
      } catch (error) {
        failures++;
        if (!this.running) return;
        this.logger.warn({
          msg: 'scheduler batch failed',
          error: (error as Error).message,
          failures,
        });
        await sleep(backoffDelay(failures, 200, 10_000), this.stopping);
      }
    }
  }
}
