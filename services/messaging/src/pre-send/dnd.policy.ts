import { Injectable } from '@nestjs/common';
import { decideDnd, purposeOf } from '../domain/compliance-checks';
import { ComplianceFacts } from './compliance-facts';
import { verdictOf } from './compliance-verdict';
import type {
  OutboundDraft,
  PolicyVerdict,
  PreSendContext,
  PreSendPolicy,
} from './pre-send-policy';

/** GoHighLevel's DND flag on the number's contact: REJECTED DND (compliance replies excepted). */
@Injectable()
export class DndPolicy implements PreSendPolicy {
  readonly name = 'dnd';
  readonly recheckAtDispatch = true;

  constructor(private readonly facts: ComplianceFacts) {}

  prepare(drafts: readonly Readonly<OutboundDraft>[], context: PreSendContext): Promise<void> {
    return this.facts.prepareSuppression(drafts, context);
  }

  async check(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<PolicyVerdict> {
    return verdictOf(
      decideDnd(purposeOf(draft.purpose), await this.facts.suppression(draft, context)),
    );
  }
}
