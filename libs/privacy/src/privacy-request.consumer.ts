import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { complianceV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { requestKindOf, subjectOf } from './privacy-subject';
import { PrivacyWorker } from './privacy-worker';

/**
 * Kafka: a privacy request becomes a task of this service (in the event's tenant); the worker
 * carries it out. Unknown kinds or subjects are ignored (a newer producer's request).
 */
@Injectable()
export class PrivacyRequestConsumer {
  constructor(private readonly worker: PrivacyWorker) {}

  @OnEvent(Topics.compliance.privacyRequest)
  async onRequest(
    event: ConsumedEvent<typeof complianceV1.PrivacyRequestSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const kind = requestKindOf(event.message.kind);
    const subject = subjectOf(event.message.subject);
    if (!kind || !subject) return;
    await this.worker.accept(tx, { orgId, requestId: event.message.requestId, kind, subject });
  }
}
