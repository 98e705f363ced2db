import { Injectable } from '@nestjs/common';
import type { RetentionStep } from '@switchboard/retention';
import { Clock } from '@switchboard/service-kit';
import { WebhooksRepository } from './webhooks.repository';

/**
 * Retention of customer webhooks (libs/retention steps, run by messaging's retention job):
 * inbound-message payloads lose the body after `bodyRetentionDays`; finished deliveries and
 * their log go after `requestLogRetentionDays` (the request-log period).
 */
@Injectable()
export class WebhookRetentionSteps {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly clock: Clock,
  ) {}

  all(): RetentionStep[] {
    return [
      {
        job: 'webhook-payload-bodies',
        batch: async (tx, cut, limit) => {
          const n = await this.repository.redactBodies(
            tx,
            cut.bodiesBefore,
            this.clock.now(),
            limit,
          );
          return { counts: { bodies_redacted: n }, more: n === limit };
        },
      },
      {
        job: 'webhook-deliveries',
        batch: async (tx, cut, limit) => {
          const n = await this.repository.purgeDeliveries(tx, cut.requestLogsBefore, limit);
          return { counts: { deliveries_purged: n }, more: n === limit };
        },
      },
    ];
  }
}
