import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TokenBucket } from '@switchboard/rate-limit';
import { Clock } from '@switchboard/service-kit';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { GHL_SYNC_CONFIG, type GhlSyncConfig } from '../config';
import { bucketsOf, pauseFromHeaders } from '../domain/rate-limits';

/**
 * GHL's limits per location, before every call: the burst and daily token buckets (in the
 * database, so replicas share them) and a pause when GHL says the budget is spent (429, or
 * `X-RateLimit-Remaining: 0`). A refused call throws GHL_UNAVAILABLE with when to try again:
 * nothing is sent, the callback queue tries later.
 */
@Injectable()
export class GhlRateLimiter {
  private readonly bucket = new TokenBucket('ghl_rate_buckets');
  private readonly pausedUntil = new Map<string, number>();
  private readonly limits: ReturnType<typeof bucketsOf>;

  constructor(
    @Inject(GHL_SYNC_CONFIG) private readonly config: GhlSyncConfig,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.limits = bucketsOf({
      burst: config.GHL_RATE_BURST,
      intervalMs: config.GHL_RATE_INTERVAL_MS,
      daily: config.GHL_RATE_DAILY,
    });
  }

  /** Takes one request of the location's budget, or throws GHL_UNAVAILABLE (retry after). */
  async acquire(locationId: string): Promise<void> {
    const now = this.clock.now();
    const paused = this.pausedUntil.get(locationId) ?? 0;
    if (paused > now.getTime()) throw this.refused(Math.ceil((paused - now.getTime()) / 1000));
    for (const [name, limit] of [
      ['burst', this.limits.burst],
      ['daily', this.limits.daily],
    ] as const) {
      const taken = await this.bucket.takeNow(this.dataSource, `${name}:${locationId}`, limit, now);
      if (!taken.allowed) throw this.refused(taken.retryAfterSeconds);
    }
  }

  /** What a response's status and `X-RateLimit-*` headers say about the location's budget. */
  observe(locationId: string, status: number, headers: Headers): void {
    const pauseMs = pauseFromHeaders(status, headers, this.config.GHL_RATE_INTERVAL_MS);
    if (pauseMs > 0) this.pausedUntil.set(locationId, this.clock.now().getTime() + pauseMs);
  }

  private refused(retryAfterSeconds: number) {
    return new GhlSyncException(
      GhlSyncErrorCode.GHL_UNAVAILABLE,
      'The GHL rate limit of this location is spent',
      { retryAfterSeconds: Math.max(1, retryAfterSeconds), details: { rateLimited: true } },
    );
  }
}
