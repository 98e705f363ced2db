import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { complianceV1, Topics } from '@switchboard/contracts';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { enterEventTenant, OnEvent, type ConsumedEvent } from '@switchboard/events';
import type { SuppressionRequest } from '../domain/suppression';
import { SuppressionService } from './suppression.service';

const KINDS: Partial<Record<complianceV1.OptOutRequestKind, SuppressionRequest['kind']>> = {
  [complianceV1.OptOutRequestKind.DND_SET]: 'DND_SET',
  [complianceV1.OptOutRequestKind.DND_CLEARED]: 'DND_CLEARED',
  [complianceV1.OptOutRequestKind.CONSENT_GRANTED]: 'CONSENT_GRANTED',
};

const SOURCES: Partial<Record<complianceV1.ConsentSource, SuppressionRequest['source']>> = {
  [complianceV1.ConsentSource.GHL]: 'GHL',
  [complianceV1.ConsentSource.LIST_IMPORT]: 'LIST_IMPORT',
};

/**
 * `compliance.opt-out-request.v1`: another service asks to change a number's state (ghl-sync:
 * GHL's SMS DND; messaging's list import: consent from opt-in columns). Thin: enters the event's tenant, one service call; a kind or source this
 * topic does not carry is dead-lettered.
 */
@Injectable()
export class OptOutRequestConsumer {
  constructor(private readonly suppressions: SuppressionService) {}

  @OnEvent(Topics.compliance.optOutRequest)
  async onRequest(
    event: ConsumedEvent<typeof complianceV1.OptOutRequestSchema>,
    tx: EntityManager,
  ): Promise<void> {
    const orgId = await enterEventTenant(tx, event, event.message.orgId);
    const m = event.message;
    const kind = KINDS[m.kind];
    const source = SOURCES[m.source];
    if (!kind || !source) {
      throw new CommonException(CommonErrorCode.INVALID_EVENT, 'Unsupported opt-out request');
    }
    await this.suppressions.applyServiceRequest(tx, orgId, {
      phoneNumber: m.phoneNumber,
      request: { kind, source },
      actor: { kind: 'service', id: m.requestedBy?.id || event.source || 'unknown' },
      reason: m.reason || null,
      occurredAt: m.occurredAt ? timestampDate(m.occurredAt) : undefined,
      ip: m.ip || null,
      consentText: m.consentText || null,
    });
  }
}
