import { Injectable } from '@nestjs/common';
import { decideConsent, purposeOf } from '../domain/compliance-checks';
import { ComplianceFacts } from './compliance-facts';
import { verdictOf } from './compliance-verdict';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

/** Campaign messages to a number without consent, when the organization requires it: NO_CONSENT. */
@Injectable()
export class ConsentPolicy implements PreSendPolicy {
  readonly name = 'consent';
  readonly recheckAtDispatch = true;

  constructor(private readonly facts: ComplianceFacts) {}

  prepare(drafts: readonly Readonly<OutboundDraft>[], context: PreSendContext): Promise<void> {
    return this.facts.prepareSuppression(drafts, context);
  }

  async check(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<PolicyVerdict> {
    const purpose = purposeOf(draft.purpose);
    if (purpose !== 'CAMPAIGN') return { kind: 'allow' };
    const rules = await this.facts.rules(context);
    if (!rules.consentRequiredForCampaigns) return { kind: 'allow' };
    return verdictOf(decideConsent(purpose, rules, await this.facts.suppression(draft, context)));
  }
}
