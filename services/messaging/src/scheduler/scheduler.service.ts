import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { backoffDelay, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, type EnterTenant } from '@switchboard/tenancy';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { MessagesService } from '../messages/messages.service';
import { RoutingService } from '../routing/routing.service';
import { JobsRepository, type ScheduledJob } from './jobs.repository';

/**
 * Runs due timers: scheduled sends (dispatch at scheduledAt) and expiries (at validUntil).
 * Survives restarts (the queue is a table) and is safe with replicas, which share the work (no
 * lease): each batch is claimed with `FOR UPDATE SKIP LOCKED` in the transaction that also
 * applies the jobs and writes their commands to the outbox, so a job is done exactly once or,
 * after a crash, not at all and again. A PeriodicJob polls every SCHEDULER_POLL_INTERVAL_MS and
 * takes the next batch at once after a full one.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly poller: PeriodicJob;
  private readonly jobsRun;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly jobs: JobsRepository,
    private readonly messages: MessagesService,
    private readonly clock: Clock,
    metrics: Metrics,
    private readonly routing: RoutingService,
  ) {
    this.jobsRun = metrics.counter('messaging_scheduler_jobs_total', 'Scheduler jobs run.', [
      'kind',
      'outcome',
    ]);
    this.poller = new PeriodicJob({
      name: 'scheduler batch',
      intervalMs: config.SCHEDULER_POLL_INTERVAL_MS,
      retryDelayMs: (failures) => backoffDelay(failures, 200, 10_000),
      logger: nestJobLogger(SchedulerService.name),
      run: async () => (await this.runDueJobs()) >= config.SCHEDULER_BATCH_SIZE,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.SCHEDULER_ENABLED) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /**
   * Runs one batch of due jobs; returns how many were claimed. The queue serves every tenant:
   * the batch is claimed without one, and each job then enters its own.
   */
  async runDueJobs(limit = this.config.SCHEDULER_BATCH_SIZE): Promise<number> {
    return inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      const due = await this.jobs.claimDue(tx, limit, this.clock.now());
      for (const job of due) await this.runOne(tx, enterTenant, job);
      return due.length;
    });
  }

  private async runOne(
    tx: EntityManager,
    enterTenant: EnterTenant,
    job: ScheduledJob,
  ): Promise<void> {
    try {
      await this.jobs.inSavepoint(tx, async () => {
        await enterTenant(job.tenantId);
        if (job.kind === 'dispatch') await this.messages.dispatchScheduled(tx, job.messageId);
        else if (job.kind === 'route-deadline') {
          await this.routing.onDeviceDeadline(tx, job.messageId);
        } else await this.messages.expire(tx, job.messageId);
      });
      this.jobsRun.inc({ kind: job.kind, outcome: 'done' });
    } catch (error) {
      // One bad job must not hold back the batch: its part was undone; try it again later.
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
}
