import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Metrics } from '@switchboard/observability';
import {
  rateLimited,
  rateLimitKeys,
  TokenBucket,
  type TokenBucketLimit,
} from '@switchboard/rate-limit';
import { Clock } from '@switchboard/service-kit';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';

/** The send limit's table (migration 1700000000102): a token bucket per organization. */
export const SEND_RATE_BUCKETS_TABLE = 'send_rate_buckets';

/** RATE sends per second on average, bursts of up to BURST. A rate of 0 turns it off. */
export function sendRateLimitOf(
  config: Pick<MessagingConfig, 'MESSAGE_SEND_RATE_PER_SECOND' | 'MESSAGE_SEND_BURST'>,
): TokenBucketLimit {
  return {
    rate: Math.max(config.MESSAGE_SEND_RATE_PER_SECOND, 0),
    burst: Math.max(config.MESSAGE_SEND_BURST, 1),
  };
}

/**
 * Sends per organization, a token bucket in PostgreSQL (`@switchboard/rate-limit`) so every
 * replica agrees. The token is taken in the send transaction, as its last step and with one
 * statement: a refused send (RATE_LIMITED with `retryAfterSeconds`) rolls back, giving the
 * token back and storing nothing; a send that fails for another reason costs no token. The
 * organization's bucket row stays locked from that step to the commit only, so concurrent
 * sends of one organization overlap everywhere else.
 */
@Injectable()
export class SendRateLimitService {
  private readonly limit: TokenBucketLimit;
  private readonly bucket = new TokenBucket(SEND_RATE_BUCKETS_TABLE);
  private readonly refused;

  constructor(
    @Inject(MESSAGING_CONFIG) config: MessagingConfig,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.limit = sendRateLimitOf(config);
    this.refused = metrics.counter(
      'messaging_sends_rate_limited_total',
      'Sends refused by the per-organization send rate limit.',
    );
  }

  /**
   * Takes `count` sends (a batch's new messages at once) of the organization in `tx` (the send
   * transaction), or throws RATE_LIMITED (retryAfterSeconds), which must roll `tx` back.
   */
  async take(orgId: string, tx: EntityManager, count = 1): Promise<void> {
    const taken = await this.bucket.take(
      tx,
      rateLimitKeys.org(orgId),
      this.limit,
      this.clock.now(),
      count,
    );
    if (taken.allowed) return;
    this.refused.inc();
    throw rateLimited(taken.retryAfterSeconds);
  }
}
