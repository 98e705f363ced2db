import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { TenantRepository } from '@switchboard/tenancy';
import { COMPLIANCE_CONFIG, type ComplianceConfig } from '../config';
import { PrivacyRequestsService } from './privacy-requests.service';

/**
 * Publishes privacy requests still unanswered after PRIVACY_REPUBLISH_AFTER_SECONDS again
 * (a service that was down, or whose answer failed): the leader only
 * (`compliance:privacy-republish`). Services carry a request out again harmlessly.
 */
@Injectable()
export class PrivacyRepublishJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: PeriodicJob;

  constructor(
    @Inject(COMPLIANCE_CONFIG) private readonly config: ComplianceConfig,
    private readonly dataSource: DataSource,
    private readonly tenants: TenantRepository,
    private readonly requests: PrivacyRequestsService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.PRIVACY_WORKER_ENABLED) return;
    const logger = nestJobLogger(PrivacyRepublishJob.name);
    const intervalMs = Math.min(60_000, this.config.PRIVACY_REPUBLISH_AFTER_SECONDS * 1000);
    this.job = new PeriodicJob({
      name: 'privacy republish',
      intervalMs,
      initialDelayMs: intervalMs,
      lease: new LeaderLease({
        connectionString: this.config.DATABASE_URL,
        name: 'compliance:privacy-republish',
        logger,
      }),
      logger,
      run: async () => void (await this.runOnce()),
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  async runOnce(): Promise<number> {
    const tenants = await this.tenants.all(this.dataSource);
    return this.requests.republishStale(tenants.map((t) => t.id));
  }
}
