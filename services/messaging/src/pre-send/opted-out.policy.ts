import { Injectable } from '@nestjs/common';
import { decideOptOut, purposeOf } from '../domain/compliance-checks';
import { ComplianceFacts } from './compliance-facts';
import { verdictOf } from './compliance-verdict';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

/** A number that opted out gets nothing but compliance replies: REJECTED OPTED_OUT. */
@Injectable()
export class OptedOutPolicy implements PreSendPolicy {
  readonly name = 'opted-out';
  readonly recheckAtDispatch = true;

  constructor(private readonly facts: ComplianceFacts) {}

  prepare(drafts: readonly Readonly<OutboundDraft>[], context: PreSendContext): Promise<void> {
    return this.facts.prepareSuppression(drafts, context);
  }

  async check(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<PolicyVerdict> {
    return verdictOf(
      decideOptOut(purposeOf(draft.purpose), await this.facts.suppression(draft, context)),
    );
  }
}
