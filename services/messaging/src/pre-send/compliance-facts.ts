import { Injectable } from '@nestjs/common';
import {
  DEFAULT_COMPLIANCE_RULES,
  type OrganizationComplianceRules,
  type SuppressionFacts,
} from '../domain/compliance-checks';
import { ComplianceProjectionsRepository } from '../projections/compliance-projections.repository';
import type { OutboundDraft, PreSendContext } from './pre-send-policy';

/**
 * What the compliance policies decide on, loaded once per chain run (the opt-out, DND and
 * consent policies share one read of the number's state): the recipient's suppression state
 * and the organization's rules (the platform defaults until compliance publishes a policy) —
 * those once per transaction (a batch chunk's sends share one read).
 */
@Injectable()
export class ComplianceFacts {
  private readonly states = new WeakMap<
    PreSendContext,
    Map<string, Promise<SuppressionFacts | undefined>>
  >();
  /** By transaction and organization: a batch chunk's sends share one transaction (one read). */
  private readonly rulesOf = new WeakMap<
    PreSendContext['tx'],
    Map<string, Promise<OrganizationComplianceRules>>
  >();

  constructor(private readonly projections: ComplianceProjectionsRepository) {}

  /**
   * The batch hook of the opted-out, DND and consent policies: the suppression states of the
   * drafts' numbers not read yet, in one statement, into `context.prepared` (the first of the
   * three policies reads, the others find them there).
   */
  async prepareSuppression(
    drafts: readonly Readonly<OutboundDraft>[],
    context: PreSendContext,
  ): Promise<void> {
    const prepared = context.prepared;
    if (!prepared) return;
    const known = (prepared.suppression ??= new Map());
    const missing = [...new Set(drafts.map((d) => d.to))].filter((to) => !known.has(to));
    if (missing.length === 0) return;
    const found = await this.projections.findSuppressions(context.tx, context.orgId, missing);
    for (const to of missing) known.set(to, found.get(to));
  }

  suppression(
    draft: Readonly<OutboundDraft>,
    context: PreSendContext,
  ): Promise<SuppressionFacts | undefined> {
    const prepared = context.prepared?.suppression;
    if (prepared?.has(draft.to)) return Promise.resolve(prepared.get(draft.to));
    if (context.suppression?.phoneNumber === draft.to)
      return Promise.resolve(context.suppression.state);
    let byNumber = this.states.get(context);
    if (!byNumber) this.states.set(context, (byNumber = new Map()));
    let state = byNumber.get(draft.to);
    if (!state) {
      state = this.projections.findSuppression(context.tx, context.orgId, draft.to);
      byNumber.set(draft.to, state);
    }
    return state;
  }

  rules(context: PreSendContext): Promise<OrganizationComplianceRules> {
    let byOrg = this.rulesOf.get(context.tx);
    if (!byOrg) this.rulesOf.set(context.tx, (byOrg = new Map()));
    let rules = byOrg.get(context.orgId);
    if (!rules) {
      const policy =
        context.compliancePolicy !== undefined
          ? Promise.resolve(context.compliancePolicy ?? undefined)
          : this.projections.findPolicy(context.tx, context.orgId);
      rules = policy.then((policy) =>
        policy
          ? {
              quietHours: {
                enabled: policy.quietHoursEnabled,
                window: {
                  startMinute: policy.windowStartMinute,
                  endMinute: policy.windowEndMinute,
                },
                transactionalAction: policy.transactionalAction,
                applyStateRules: policy.applyStateRules,
              },
              consentRequiredForCampaigns: policy.consentRequiredForCampaigns,
            }
          : DEFAULT_COMPLIANCE_RULES,
      );
      byOrg.set(context.orgId, rules);
    }
    return rules;
  }
}
