import { Injectable } from '@nestjs/common';
import { QuotaPolicy } from '@switchboard/quota';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

const REASONS = {
  QUOTA_EXCEEDED: "The plan's included messages for this period are used up",
  INSUFFICIENT_FUNDS: 'The prepaid balance does not cover this message',
} as const;

/**
 * The plan's allowance and the prepaid wallet, checked on the local projection of
 * billing.quota.v1 (libs/quota; no call to billing): REJECTED QUOTA_EXCEEDED or
 * INSUFFICIENT_FUNDS. Last in the chain, because an allowed send debits the projection in the
 * send transaction. Compliance replies (STOP/HELP confirmations) are never refused for quota
 * (they are still metered). Checked once, when the send is accepted.
 */
@Injectable()
export class QuotaSendPolicy implements PreSendPolicy {
  readonly name = 'quota';

  constructor(private readonly quota: QuotaPolicy) {}

  async check(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<PolicyVerdict> {
    if (draft.purpose === 'COMPLIANCE_REPLY' || context.stage === 'dispatch')
      return { kind: 'allow' };
    const refusal = await this.quota.check(context.tx, context.orgId, draft.segments ?? 1);
    return refusal
      ? { kind: 'reject', code: refusal, reason: REASONS[refusal] }
      : { kind: 'allow' };
  }
}
