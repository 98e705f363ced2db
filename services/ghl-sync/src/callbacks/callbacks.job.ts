import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isDomainException } from '@switchboard/errors';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import { decideCallbackRetry, type CallbackFailure } from '../domain/callback-retry';
import type { CallbackPayload } from './callback.record';
import { CallbackRunner, retryIsSafe } from './callback-runner.service';
import { CallbacksRepository } from './callbacks.repository';

const BATCH = 50;

/**
 * Works the callback queue on the leader replica (`ghl-sync:callbacks`): per organization,
 * the due callbacks oldest first (one subject's in order), each call through the one GHL
 * client (rate limits, request log); done, retried later (rate limits and uninstalled
 * locations wait without counting), or given up with the error kept. A callback is only ever
 * removed from the queue by a success or a final refusal: restarts and 429 storms lose none.
 */
@Injectable()
export class CallbacksJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallbacksJob.name);
  private job?: PeriodicJob;

  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
    private readonly callbacks: CallbacksRepository,
    private readonly runner: CallbackRunner,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const logger = nestJobLogger(CallbacksJob.name);
    this.job = new PeriodicJob({
      name: 'ghl callbacks',
      intervalMs: this.config.GHL_CALLBACK_INTERVAL_MS,
      lease: new LeaderLease({
        connectionString: this.config.DATABASE_URL,
        name: 'ghl-sync:callbacks',
        logger,
      }),
      logger,
      run: async () => (await this.runOnce()) >= BATCH,
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** Runs the queue soon (new work was committed). */
  wake(): void {
    this.job?.wake();
  }

  /** One pass over every organization; the number of callbacks tried. */
  async runOnce(): Promise<number> {
    let tried = 0;
    for (const orgId of await this.tenants.open(this.dataSource)) {
      tried += await inTenantTransaction(this.dataSource, orgId, async (tx) => {
        const due = await this.callbacks.due(tx, this.clock.now(), BATCH);
        const paused = new Set<string>();
        for (const callback of due) {
          // A location whose budget is spent now: its other callbacks wait for the next pass.
          if (paused.has(callback.locationId)) continue;
          let payload: CallbackPayload = callback.payload;
          try {
            await this.runner.run(callback, (p) => (payload = p));
            await this.callbacks.done(tx, callback.id, this.clock.now());
          } catch (error) {
            const failure = failureOf(error);
            const decision = decideCallbackRetry(
              failure,
              callback.attempts,
              this.config.GHL_CALLBACK_MAX_ATTEMPTS,
              retryIsSafe(payload),
            );
            const message = (error as Error).message;
            if (decision.action === 'give-up') {
              this.logger.warn({
                msg: 'GHL callback given up',
                kind: callback.kind,
                error: message,
              });
              await this.callbacks.giveUp(tx, callback.id, message, this.clock.now());
            } else {
              if (!decision.counted) paused.add(callback.locationId);
              await this.callbacks.retry(tx, callback.id, {
                at: new Date(this.clock.now().getTime() + decision.delayMs),
                counted: decision.counted,
                error: message,
                payload,
              });
            }
          }
        }
        return due.length;
      });
    }
    return tried;
  }
}

function failureOf(error: unknown): CallbackFailure {
  if (!isDomainException(error)) return { code: 'INTERNAL', reached: true };
  const status = typeof error.details.status === 'number' ? error.details.status : undefined;
  return {
    code: error.code,
    status,
    reached: status !== undefined || error.details.reached === true,
    retryAfterSeconds: error.retryAfterSeconds,
  };
}
