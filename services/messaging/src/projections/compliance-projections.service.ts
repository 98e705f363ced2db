import { Injectable } from '@nestjs/common';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { complianceV1 } from '@switchboard/contracts';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { isE164 } from '@switchboard/sms';
import { ComplianceProjectionsRepository } from './compliance-projections.repository';

const dateOf = (t: Timestamp | undefined) => (t ? timestampDate(t) : null);
const ACTIONS = { SEND: 'SEND', REFUSE: 'REFUSE', HOLD: 'HOLD', UNSPECIFIED: 'SEND' } as const;

/**
 * Keeps messaging's projections of compliance's compacted topics: the suppression state of
 * every (organization, number) and every organization's policy. Runs in the consumer's
 * transaction, tenant set. A record replaces the one held only when its version is higher, so
 * a redelivery, an older record arriving late, or a rebuild from offset 0 changes nothing that
 * is newer.
 */
@Injectable()
export class ComplianceProjectionsService {
  constructor(private readonly projections: ComplianceProjectionsRepository) {}

  async onSuppression(
    tx: EntityManager,
    orgId: string,
    state: complianceV1.SuppressionState,
  ): Promise<boolean> {
    const e164 = state.phoneNumber?.e164 ?? '';
    if (!isE164(e164)) {
      throw new CommonException(
        CommonErrorCode.INVALID_EVENT,
        'A suppression state needs the number in E.164',
      );
    }
    return this.projections.upsertSuppression(tx, orgId, {
      phoneNumber: e164,
      optedOut: state.optedOut,
      optedOutChangedAt: dateOf(state.optedOutChangedAt),
      optOutSource: complianceV1.ConsentSource[state.optOutSource] ?? 'UNSPECIFIED',
      consent: state.consent,
      consentChangedAt: dateOf(state.consentChangedAt),
      dnd: state.dnd,
      version: state.version,
      updatedAt: dateOf(state.updatedAt),
    });
  }

  async onPolicy(
    tx: EntityManager,
    orgId: string,
    policy: complianceV1.OrganizationPolicy,
  ): Promise<boolean> {
    const quiet = policy.quietHours;
    const minute = (value: number | undefined, fallback: number) =>
      value !== undefined && value >= 0 && value < 1440 ? value : fallback;
    return this.projections.upsertPolicy(tx, orgId, {
      quietHoursEnabled: quiet?.enabled ?? false,
      windowStartMinute: minute(quiet?.windowStartMinute, 480),
      windowEndMinute: minute(quiet?.windowEndMinute, 1260),
      transactionalAction:
        ACTIONS[
          complianceV1.QuietHoursAction[quiet?.transactionalAction ?? 0] as keyof typeof ACTIONS
        ] ?? 'SEND',
      applyStateRules: quiet?.applyStateRules ?? false,
      consentRequiredForCampaigns: policy.consentRequiredForCampaigns,
      version: policy.version,
      updatedAt: dateOf(policy.updatedAt),
    });
  }
}
