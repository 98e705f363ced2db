import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { SqlRunner } from '@switchboard/tenancy';
import type { CallbackPayload } from './callback.record';
import { CallbacksJob } from './callbacks.job';
import { CallbacksRepository } from './callbacks.repository';

/** Queues a call to GHL in the caller's transaction (it exists if and only if that commits). */
@Injectable()
export class CallbackQueue {
  constructor(
    private readonly callbacks: CallbacksRepository,
    private readonly job: CallbacksJob,
  ) {}

  async enqueue(
    tx: SqlRunner,
    input: {
      orgId: string;
      locationId: string;
      subject: string;
      payload: CallbackPayload;
      at: Date;
    },
  ): Promise<void> {
    await this.callbacks.enqueue(tx, { id: randomUUID(), ...input });
    // Usually after the commit by the time the job looks; otherwise its next interval.
    setImmediate(() => this.job.wake());
  }
}
