import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { complianceV1, Topics } from '@switchboard/contracts';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import { PrivacyRequestsService } from './privacy-requests.service';

const holdsOf = (holds: complianceV1.LegalHold[]) =>
  holds.map((h) => ({ data: h.data, reason: h.reason, count: Number(h.count) }));
const countsOf = (counts: Record<string, bigint>) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));

/** Kafka: every service's answers to privacy requests (thin: one service call per record). */
@Injectable()
export class PrivacyReplyConsumer {
  constructor(private readonly requests: PrivacyRequestsService) {}

  @OnEvent(Topics.compliance.privacyReply)
  async onReply(
    event: ConsumedEvent<typeof complianceV1.PrivacyReplySchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const { requestId, service, reply } = event.message;
    switch (reply.case) {
      case 'exportChunk':
        return this.requests.onChunk(tx, orgId, requestId, {
          service,
          sequence: reply.value.sequence,
          section: reply.value.section,
          items: reply.value.items,
        });
      case 'exportDone':
        return this.requests.onDone(tx, requestId, service, {
          chunks: reply.value.chunks,
          counts: countsOf(reply.value.counts),
          legalHolds: holdsOf(reply.value.legalHolds),
        });
      case 'erasureDone':
        return this.requests.onDone(tx, requestId, service, {
          chunks: null,
          counts: countsOf(reply.value.counts),
          legalHolds: holdsOf(reply.value.legalHolds),
        });
      default:
        return; // a kind of answer this version does not know
    }
  }
}
