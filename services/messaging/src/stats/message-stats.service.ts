import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { dailyStats, MAX_STATS_DAYS, statsSince, type DayStats } from '../domain/message-stats';
import { MessageStatsRepository } from './message-stats.repository';

/** Sends per day by outcome and the delivery rate, for the console's charts. */
@Injectable()
export class MessageStatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stats: MessageStatsRepository,
    private readonly clock: Clock,
  ) {}

  async daily(orgId: string, days: number): Promise<DayStats[]> {
    if (!Number.isInteger(days) || days < 1 || days > MAX_STATS_DAYS) {
      throw new MessagingException(
        MessagingErrorCode.INVALID_STATS_RANGE,
        `days must be between 1 and ${MAX_STATS_DAYS}`,
        { details: { field: 'days', max: MAX_STATS_DAYS } },
      );
    }
    const now = this.clock.now();
    const counts = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.stats.countsSince(tx, statsSince(now, days)),
    );
    return dailyStats(counts, now, days);
  }
}
