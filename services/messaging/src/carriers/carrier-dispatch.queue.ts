import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import type { CarrierDispatchEnqueuer, CarrierDispatchJob } from './carrier';
import { CarriersRepository } from './carriers.repository';

/**
 * Routing's way into the carriers (CARRIER_DISPATCH): a send queued in the caller's tenant
 * transaction, so it exists exactly when the routing decision commits; the dispatch worker
 * sends it. Queuing the same (message, attempt) twice is harmless.
 */
@Injectable()
export class CarrierDispatchQueue implements CarrierDispatchEnqueuer {
  constructor(
    private readonly carriers: CarriersRepository,
    private readonly clock: Clock,
  ) {}

  async enqueue(tx: EntityManager, job: CarrierDispatchJob): Promise<void> {
    await this.carriers.enqueue(tx, job, this.clock.now());
  }
}
