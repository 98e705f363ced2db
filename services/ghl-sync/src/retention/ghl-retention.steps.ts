import { Injectable } from '@nestjs/common';
import { countedStep, type RetentionStep } from '@switchboard/retention';
import { RequestLogRepository } from '../request-log/request-log.repository';
import { GhlRetentionRepository } from './ghl-retention.repository';

/**
 * ghl-sync's retention steps, under each organization's periods: the request log and finished
 * callbacks after `requestLogRetentionDays`; provider messages' phone numbers after
 * `bodyRetentionDays` (replies then go to the first installed location); provider messages
 * themselves after `metadataRetentionMonths`.
 */
@Injectable()
export class GhlRetentionSteps {
  constructor(
    private readonly log: RequestLogRepository,
    private readonly repository: GhlRetentionRepository,
  ) {}

  all(): RetentionStep[] {
    return [
      countedStep('request-log', 'requests_deleted', (tx, cut, limit) =>
        this.log.prune(tx, cut.requestLogsBefore, limit),
      ),
      countedStep('callbacks', 'callbacks_deleted', (tx, cut, limit) =>
        this.repository.pruneCallbacks(tx, cut.requestLogsBefore, limit),
      ),
      countedStep('provider-phones', 'phone_numbers_cleared', (tx, cut, limit) =>
        this.repository.clearContactPhones(tx, cut.bodiesBefore, limit),
      ),
      countedStep('provider-messages', 'provider_messages_deleted', (tx, cut, limit) =>
        this.repository.pruneProviderMessages(tx, cut.metadataBefore, limit),
      ),
    ];
  }
}
