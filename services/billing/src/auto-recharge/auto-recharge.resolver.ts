import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { Inject } from '@nestjs/common';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import {
  AutoRechargeInput,
  AutoRechargeModel,
  integerOf,
  PaymentMethodModel,
  toAutoRechargeModel,
  toPaymentMethodModel,
} from './auto-recharge.model';
import { AutoRechargeService } from './auto-recharge.service';

/** Auto-recharge and the saved cards (the owner: `admin`). */
@Resolver(() => AutoRechargeModel)
export class AutoRechargeResolver {
  constructor(
    private readonly service: AutoRechargeService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  @Scopes('admin')
  @Query(() => AutoRechargeModel, {
    nullable: true,
    description: 'Automatic top-ups of the wallet, when set (owner).',
  })
  async autoRecharge(@CurrentPrincipal() principal: Principal): Promise<AutoRechargeModel | null> {
    return toAutoRechargeModel(
      await this.service.get(requireOrg(principal)),
      this.config.BILLING_CURRENCY,
    );
  }

  @Scopes('admin')
  @Query(() => [PaymentMethodModel], { description: 'Cards saved at Stripe (owner).' })
  async paymentMethods(@CurrentPrincipal() principal: Principal): Promise<PaymentMethodModel[]> {
    return (await this.service.paymentMethods(requireOrg(principal))).map(toPaymentMethodModel);
  }

  @Scopes('admin')
  @Mutation(() => AutoRechargeModel, {
    description:
      'Charges the saved card amountMinor whenever the available balance falls below belowMinor, one charge at a time (owner). Audited.',
  })
  async setAutoRecharge(
    @CurrentPrincipal() principal: Principal,
    @Args('input', { type: () => AutoRechargeInput }) input: AutoRechargeInput,
  ): Promise<AutoRechargeModel> {
    const view = await this.service.enable(
      requireOrg(principal),
      {
        belowMinor: integerOf(input.belowMinor),
        amountMinor: integerOf(input.amountMinor),
        paymentMethodId: input.paymentMethodId,
      },
      auditActorOf(principal),
    );
    return toAutoRechargeModel(view, this.config.BILLING_CURRENCY)!;
  }

  @Scopes('admin')
  @Mutation(() => Boolean, { description: 'Turns auto-recharge off (owner). Audited.' })
  async disableAutoRecharge(@CurrentPrincipal() principal: Principal): Promise<boolean> {
    await this.service.disable(requireOrg(principal), auditActorOf(principal));
    return true;
  }
}
