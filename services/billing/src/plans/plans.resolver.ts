import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { isUuid } from '@switchboard/tenancy';
import {
  AccessReasonArg,
  CurrentPrincipal,
  PlatformAdminOperation,
  principalId,
  requireOrg,
  Scopes,
  type Principal,
} from '@switchboard/auth';
import { Clock } from '@switchboard/service-kit';
import {
  BillingMessageKind,
  BillingRoute,
  OrganizationPlanModel,
  PlanInput,
  PlanModel,
  PriceInput,
  PriceModel,
  toOrganizationPlanModel,
  toPlanDefinition,
  toPlanModel,
  toPriceDefinition,
  toPriceModel,
} from './plan.model';
import { PlansService } from './plans.service';

const actorName = (p: Principal) => `${p.kind}:${principalId(p)}`;

/**
 * Plans and prices. Members read their plan and the price book (`messages:read`); platform
 * admins change plans and add price versions, with a reason, audited (AUDIT_SINK).
 */
@Resolver(() => PlanModel)
export class PlansResolver {
  constructor(
    private readonly service: PlansService,
    private readonly clock: Clock,
  ) {}

  @Scopes('messages:read')
  @Query(() => OrganizationPlanModel, { description: "Your organization's plan." })
  async myPlan(@CurrentPrincipal() principal: Principal): Promise<OrganizationPlanModel> {
    const { account, plan } = await this.service.myPlan(requireOrg(principal));
    return toOrganizationPlanModel(account, plan);
  }

  @Scopes('messages:read')
  @Query(() => [PlanModel], { description: 'The plans on offer.' })
  async plans(): Promise<PlanModel[]> {
    return (await this.service.listPlans()).map(toPlanModel);
  }

  @Scopes('messages:read')
  @Query(() => PriceModel, {
    description: 'The price per segment in force now for a destination country and route.',
  })
  async price(
    @Args('country', { type: () => String }) country: string,
    @Args('route', { type: () => BillingRoute }) route: BillingRoute,
    @Args('kind', { type: () => BillingMessageKind, nullable: true })
    kind?: BillingMessageKind | null,
  ): Promise<PriceModel> {
    return toPriceModel(
      await this.service.price({ country, route, kind: kind ?? BillingMessageKind.SMS }),
    );
  }

  @PlatformAdminOperation('billing_plan.save', { resourceType: 'billing_plan' })
  @Mutation(() => PlanModel, {
    description: 'Platform admins: creates or changes a plan. Needs a reason; audited.',
  })
  async adminSavePlan(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => PlanInput }) input: PlanInput,
    @AccessReasonArg() _reason?: string,
  ): Promise<PlanModel> {
    return toPlanModel(await this.service.savePlan(toPlanDefinition(input), actorName(principal)));
  }

  @PlatformAdminOperation('billing_plan.assign', {
    resourceType: 'billing_plan',
    targetOrgArg: 'orgId',
  })
  @Mutation(() => OrganizationPlanModel, {
    description:
      'Platform admins: puts an organization on a plan at once. Needs a reason; audited.',
  })
  async adminAssignPlan(
    @Args('orgId', { type: () => ID }) orgId: string,
    @Args('planId', { type: () => ID }) planId: string,
    @AccessReasonArg() _reason?: string,
  ): Promise<OrganizationPlanModel> {
    if (!isUuid(orgId))
      throw new CommonException(CommonErrorCode.NOT_FOUND, 'No such organization');
    const { account, plan } = await this.service.assignPlan(orgId.toLowerCase(), planId);
    return toOrganizationPlanModel(account, plan);
  }

  @PlatformAdminOperation('billing_price.add', { resourceType: 'billing_price' })
  @Mutation(() => PriceModel, {
    description:
      'Platform admins: adds a price version (effective now or later). Needs a reason; audited.',
  })
  async adminAddPrice(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => PriceInput }) input: PriceInput,
    @AccessReasonArg() reason?: string,
  ): Promise<PriceModel> {
    return toPriceModel(
      await this.service.addPrice(
        toPriceDefinition(input, this.clock.now()),
        actorName(principal),
        reason ?? '',
      ),
    );
  }
}
