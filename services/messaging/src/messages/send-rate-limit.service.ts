import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { RateLimiter, rateLimitKeys, type RateLimit } from '@switchboard/rate-limit';
import { Clock } from '@switchboard/service-kit';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';

/** The limiter table of messaging (migration 1700000000101). */
export const SEND_RATE_LIMIT_TABLE = 'rate_limit_hits';
const ACTION = 'send';
const PRUNE_INTERVAL_MS = 60_000;

/**
 * The send limit per organization as a sliding window: at most BURST sends in BURST / RATE
 * seconds, i.e. RATE per second on average with bursts of up to BURST. 0 turns it off.
 */
export function sendRateLimitOf(
  config: Pick<MessagingConfig, 'MESSAGE_SEND_RATE_PER_SECOND' | 'MESSAGE_SEND_BURST'>,
): RateLimit {
  const rate = config.MESSAGE_SEND_RATE_PER_SECOND;
  if (rate <= 0) return { max: 0, windowSeconds: 1 };
  const burst = Math.max(config.MESSAGE_SEND_BURST, 1);
  return { max: burst, windowSeconds: burst / rate };
}

/**
 * Sends per organization, counted in PostgreSQL (`@switchboard/rate-limit`) so every replica
 * agrees. The count is written in the send transaction, as its last step: a refused send
 * (RATE_LIMITED with `retryAfterSeconds`) rolls back and stores nothing, a send that fails for
 * another reason is not counted, and no extra commit is paid. The organization's key is locked
 * (a transaction-scoped advisory lock) from that step to the commit only, so concurrent sends
 * of one organization overlap everywhere else. Old counts are pruned every minute.
 */
@Injectable()
export class SendRateLimitService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly limit: RateLimit;
  private readonly limiter: RateLimiter;
  private readonly pruner: PeriodicJob;
  private readonly refused;

  constructor(
    dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) config: MessagingConfig,
    clock: Clock,
    metrics: Metrics,
  ) {
    this.limit = sendRateLimitOf(config);
    this.limiter = new RateLimiter(dataSource, clock, { table: SEND_RATE_LIMIT_TABLE });
    this.refused = metrics.counter(
      'messaging_sends_rate_limited_total',
      'Sends refused by the per-organization send rate limit.',
    );
    this.pruner = new PeriodicJob({
      name: 'send rate limit prune',
      intervalMs: PRUNE_INTERVAL_MS,
      logger: nestJobLogger(SendRateLimitService.name),
      run: async () => void (await this.limiter.prune(Math.ceil(this.limit.windowSeconds) + 1)),
    });
  }

  onApplicationBootstrap(): void {
    if (this.limit.max > 0) this.pruner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruner.stop();
  }

  /**
   * Counts one send of the organization in `tx` (the send transaction), or throws RATE_LIMITED
   * (retryAfterSeconds).
   */
  async take(orgId: string, tx: EntityManager): Promise<void> {
    try {
      await this.limiter.enforce(
        ACTION,
        [{ key: rateLimitKeys.org(orgId), limit: this.limit }],
        tx,
      );
    } catch (error) {
      this.refused.inc();
      throw error;
    }
  }
}
