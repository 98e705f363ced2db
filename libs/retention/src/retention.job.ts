import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { nestJobLogger, OutboxWriter, type PeriodicJob } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { EventTablesRepository } from './event-tables.repository';
import { RetentionPolicyStore } from './retention-policy.store';
import {
  RetentionRunner,
  retentionJob,
  type RetentionRunSummary,
  type RetentionStep,
} from './retention-runner';

/** Which service runs the job, and its RETENTION_* settings (retentionConfigShape). */
export interface RetentionOptions {
  service: string;
  /** The service database (application role); the lease holds a connection of its own. */
  connectionString: string;
  enabled: boolean;
  intervalMs: number;
  batchSize: number;
}

export const RETENTION_OPTIONS = Symbol('RETENTION_OPTIONS');
/** The service's steps (RetentionStep[]), in order. */
export const RETENTION_STEPS = Symbol('RETENTION_STEPS');

/** The options from a service's config (DATABASE_URL + retentionConfigShape). */
export function retentionOptions(
  service: string,
  config: {
    DATABASE_URL: string;
    RETENTION_ENABLED: boolean;
    RETENTION_INTERVAL_MS: number;
    RETENTION_BATCH_SIZE: number;
  },
): RetentionOptions {
  return {
    service,
    connectionString: config.DATABASE_URL,
    enabled: config.RETENTION_ENABLED,
    intervalMs: config.RETENTION_INTERVAL_MS,
    batchSize: config.RETENTION_BATCH_SIZE,
  };
}

/** A service's retention job: leader-only (`retention:<service>`), every RETENTION_INTERVAL_MS. */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runner: RetentionRunner;
  private job?: PeriodicJob;

  constructor(
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
    @Inject(RETENTION_STEPS) steps: RetentionStep[],
    dataSource: DataSource,
    store: RetentionPolicyStore,
    eventTables: EventTablesRepository,
    outbox: OutboxWriter,
    clock: Clock,
  ) {
    this.runner = new RetentionRunner({
      service: options.service,
      dataSource,
      store,
      eventTables,
      outbox,
      clock,
      steps,
      batchSize: options.batchSize,
      logger: nestJobLogger(RetentionJob.name),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.job = retentionJob(this.runner, {
      service: this.options.service,
      connectionString: this.options.connectionString,
      intervalMs: this.options.intervalMs,
      logger: nestJobLogger(RetentionJob.name),
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One run now (tests, operators). */
  runOnce(): Promise<RetentionRunSummary> {
    return this.runner.runOnce();
  }
}

/**
 * The providers every service's retention module lists (plus its options and steps, and
 * RetentionPolicyConsumer when the service holds data under the organizations' periods).
 */
export const retentionProviders = [RetentionPolicyStore, EventTablesRepository, RetentionJob];
