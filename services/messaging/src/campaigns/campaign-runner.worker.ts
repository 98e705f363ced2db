import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { backoffDelay, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { CampaignsService } from './campaigns.service';

const CLAIM_BATCH = 20;

/**
 * The campaign runner: claims due campaigns from `campaign_run_queue` (any replica, SKIP
 * LOCKED, a lease instead of a leader) and runs one step of each. A crash loses nothing: the
 * lease runs out, another runner claims the campaign, and the step's idempotency keys return
 * the messages already created.
 */
@Injectable()
export class CampaignRunnerWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CampaignRunnerWorker.name);
  private readonly poller: PeriodicJob;

  constructor(
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly campaigns: CampaignsService,
  ) {
    this.poller = new PeriodicJob({
      name: 'campaign runner',
      intervalMs: Math.max(10, Math.floor(config.CAMPAIGN_POLL_INTERVAL_MS / 4)),
      retryDelayMs: (failures) => backoffDelay(failures, 200, 10_000),
      logger: nestJobLogger(CampaignRunnerWorker.name),
      run: async () => (await this.runDue()) >= CLAIM_BATCH,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.CAMPAIGN_RUNNER_ENABLED) this.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller.stop();
  }

  /** One pass: a step of each due campaign; how many were claimed. */
  async runDue(): Promise<number> {
    const due = await this.campaigns.claimDue(CLAIM_BATCH);
    for (const { campaignId, tenantId } of due) {
      try {
        await this.campaigns.step(tenantId, campaignId);
      } catch (error) {
        // The lease brings it back; one campaign's failure does not stop the others.
        this.logger.error({ msg: 'campaign step failed', campaignId, error: String(error) });
      }
    }
    return due.length;
  }
}
