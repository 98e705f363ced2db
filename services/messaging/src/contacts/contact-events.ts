import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import type { EventDraft } from '@switchboard/events';
import { stableUuid } from '../common/stable-id';
import type { OptInEvidence } from '../domain/contact-import';

/**
 * `compliance.opt-out-request.v1` CONSENT_GRANTED from a list import's opt-in columns: how
 * compliance learns the consent (it decides; consent never lifts an opt-out). The event id is
 * stable per import and number, so a replay records it once.
 */
export function consentRequestDraft(
  orgId: string,
  importId: string,
  phoneNumber: string,
  optIn: OptInEvidence,
  now: Date,
): EventDraft<typeof complianceV1.OptOutRequestSchema> {
  return {
    topic: Topics.compliance.optOutRequest,
    key: `${orgId}:${phoneNumber}`,
    id: stableUuid('contact-import-consent', importId, phoneNumber),
    orgId,
    time: now,
    event: {
      orgId,
      phoneNumber,
      kind: complianceV1.OptOutRequestKind.CONSENT_GRANTED,
      source: complianceV1.ConsentSource.LIST_IMPORT,
      reason: optIn.source ? `list import (${optIn.source.slice(0, 200)})` : 'list import',
      occurredAt: timestampFromDate(optIn.at ?? now),
      requestedBy: { type: commonV1.ActorType.SERVICE, id: 'messaging' },
      ip: optIn.ip ?? '',
      consentText: optIn.text ?? '',
    },
  };
}
