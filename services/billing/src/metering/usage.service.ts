import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { isPeriod, periodOf } from '../domain/period';
import type { UsageLine } from './usage.record';
import { UsageRepository } from './usage.repository';

/** Reading the usage ledger. */
@Injectable()
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
    private readonly clock: Clock,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  /** The period's usage by route and country (default: the current period). */
  async summary(
    orgId: string,
    period?: string | null,
  ): Promise<{ period: string; currency: string; lines: UsageLine[] }> {
    const p = period ?? periodOf(this.clock.now());
    if (!isPeriod(p))
      throw new BillingException(BillingErrorCode.INVALID_PERIOD, 'A period is YYYY-MM');
    const lines = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.usage.summary(tx, orgId, p),
    );
    return { period: p, currency: this.config.BILLING_CURRENCY, lines };
  }
}
