import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { OrganizationPlanModel, toOrganizationPlanModel } from '../plans/plan.model';
import { PlanChangesService } from './plan-changes.service';

/** The owner's plan changes (`admin`): upgrades at once, downgrades at the period boundary. */
@Resolver(() => OrganizationPlanModel)
export class PlanChangesResolver {
  constructor(private readonly service: PlanChangesService) {}

  @Scopes('admin')
  @Mutation(() => OrganizationPlanModel, {
    description:
      'Changes the plan (owner): an upgrade at once (the subscription prorated by Stripe), a downgrade at the next period (pendingPlanId, cancelable). Audited.',
  })
  async changePlan(
    @CurrentPrincipal() principal: Principal,
    @Args('planId', { type: () => ID }) planId: string,
  ): Promise<OrganizationPlanModel> {
    const { account, plan } = await this.service.changePlan(
      requireOrg(principal),
      planId,
      auditActorOf(principal),
    );
    return toOrganizationPlanModel(account, plan);
  }

  @Scopes('admin')
  @Mutation(() => OrganizationPlanModel, {
    description: 'Drops a pending plan change (owner). Audited.',
  })
  async cancelPlanChange(@CurrentPrincipal() principal: Principal): Promise<OrganizationPlanModel> {
    const { account, plan } = await this.service.cancelPlanChange(
      requireOrg(principal),
      auditActorOf(principal),
    );
    return toOrganizationPlanModel(account, plan);
  }
}
