import { Injectable } from '@nestjs/common';
import { countedStep, type RetentionStep } from '@switchboard/retention';
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
      countedStep('webhook-payload-bodies', 'bodies_redacted', (tx, cut, limit) =>
        this.repository.redactBodies(tx, cut.bodiesBefore, this.clock.now(), limit),
      ),
      countedStep('webhook-deliveries', 'deliveries_purged', (tx, cut, limit) =>
        this.repository.purgeDeliveries(tx, cut.requestLogsBefore, limit),
      ),
    ];
  }
}
