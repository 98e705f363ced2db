import { Injectable } from '@nestjs/common';
import { QuotaPolicy } from '@switchboard/quota';
import {
  PreSendBatchDeclined,
  type OutboundDraft,
  type PolicyVerdict,
  type PreSendContext,
  type PreSendPolicy,
} from './pre-send-policy';

const REASONS = {
  QUOTA_EXCEEDED: "The plan's included messages for this period are used up",
  INSUFFICIENT_FUNDS: 'The prepaid balance does not cover this message',
} as const;

/**
 * The plan's allowance and the prepaid wallet, checked on the local projection of
 * billing.quota.v1 (libs/quota; no call to billing): REJECTED QUOTA_EXCEEDED or
 * INSUFFICIENT_FUNDS. `check` reads the projection without a lock; `take`, the send
 * transaction's last step, debits it in one statement — when concurrent sends took the rest
 * meanwhile, the send runs again `contended` and the check decides under the row's lock, so
 * sends against one published state never together exceed it. Compliance replies (STOP/HELP
 * confirmations) are never refused for quota (they are still metered). Checked once, when the
 * send is accepted.
 */
@Injectable()
export class QuotaSendPolicy implements PreSendPolicy {
  readonly name = 'quota';

  constructor(private readonly quota: QuotaPolicy) {}

  async check(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<PolicyVerdict> {
    if (!applies(draft, context) || context.prepared?.quotaFits) return { kind: 'allow' };
    const refusal = await this.quota.check(context.tx, context.orgId, draft.segments ?? 1, {
      lock: context.contended,
      mms: isMms(draft),
      known: context.quota,
    });
    return refusal
      ? { kind: 'reject', code: refusal, reason: REASONS[refusal] }
      : { kind: 'allow' };
  }

  /**
   * A chunk (set-based sends): the quota read once, for the chunk's total. When the total fits,
   * every draft is allowed (`check` reads no more); when it does not, each draft must get what
   * the per-input path gives it (some allowed, the rest refused, in key order): declined.
   */
  async prepare(
    drafts: readonly Readonly<OutboundDraft>[],
    context: PreSendContext,
  ): Promise<void> {
    if (!context.prepared) return;
    const metered = drafts.filter((draft) => applies(draft, context));
    if (metered.some(isMms)) throw new PreSendBatchDeclined(this.name);
    if (metered.length > 0) {
      const fits = await this.quota.fitsAll(context.tx, context.orgId, totalSegments(metered));
      if (!fits) throw new PreSendBatchDeclined(this.name);
    }
    context.prepared.quotaFits = true;
  }

  /** The chunk's new messages' segments in one take (see `take`). */
  async takeAll(
    drafts: readonly Readonly<OutboundDraft>[],
    context: PreSendContext,
  ): Promise<boolean> {
    const metered = drafts.filter((draft) => applies(draft, context));
    if (metered.length === 0) return true;
    return this.quota.take(context.tx, context.orgId, totalSegments(metered));
  }

  async take(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<boolean> {
    if (!applies(draft, context)) return true;
    return this.quota.take(context.tx, context.orgId, draft.segments ?? 1, { mms: isMms(draft) });
  }
}

/** A message with media is billed as one MMS (libs/quota: no allowance, the MMS price). */
function isMms(draft: Readonly<OutboundDraft>): boolean {
  return draft.mediaUrls.length > 0;
}

/** What a take debits for these drafts: each at least one segment (QuotaPolicy.take). */
function totalSegments(drafts: readonly Readonly<OutboundDraft>[]): number {
  return drafts.reduce((sum, draft) => sum + Math.max(1, draft.segments ?? 1), 0);
}

function applies(draft: Readonly<OutboundDraft>, context: PreSendContext): boolean {
  return draft.purpose !== 'COMPLIANCE_REPLY' && context.stage !== 'dispatch';
}
