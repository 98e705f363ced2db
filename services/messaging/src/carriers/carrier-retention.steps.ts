import { Injectable } from '@nestjs/common';
import { countedStep, type RetentionStep } from '@switchboard/retention';
import { CarriersRepository } from './carriers.repository';

/**
 * Retention of carriers' bookkeeping (libs/retention steps, run by messaging's retention job):
 * callback receipts (replay protection; the vendors stop retrying within days) go after the
 * request-log period; the sends (which carrier id is which message) and the sticky senders (a
 * contact's number) after the metadata period, like the messages they describe.
 */
@Injectable()
export class CarrierRetentionSteps {
  constructor(private readonly repository: CarriersRepository) {}

  all(): RetentionStep[] {
    return [
      countedStep('carrier-callback-receipts', 'receipts_purged', (tx, cut, limit) =>
        this.repository.purgeReceipts(tx, cut.requestLogsBefore, limit),
      ),
      countedStep('carrier-sends', 'sends_purged', (tx, cut, limit) =>
        this.repository.purgeSends(tx, cut.metadataBefore, limit),
      ),
      countedStep('carrier-sticky-senders', 'sticky_senders_purged', (tx, cut, limit) =>
        this.repository.purgeStickySenders(tx, cut.metadataBefore, limit),
      ),
    ];
  }
}
