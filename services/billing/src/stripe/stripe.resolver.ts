import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { StripeBillingService } from './stripe-billing.service';
import { StripeLinkModel, toStripeLinkModel } from './stripe.model';

/** Paying: Checkout for top-ups and Stripe's billing portal (the owner: `admin`). */
@Resolver(() => StripeLinkModel)
export class StripeResolver {
  constructor(private readonly stripe: StripeBillingService) {}

  @Scopes('admin')
  @Mutation(() => StripeLinkModel, {
    description: 'A Stripe Checkout page that tops up the wallet by amountMinor (owner). Audited.',
  })
  async createTopUpCheckout(
    @CurrentPrincipal() principal: Principal,
    @Args('amountMinor', { type: () => String, description: 'Integer minor units.' })
    amountMinor: string,
  ): Promise<StripeLinkModel> {
    if (!/^\d{1,10}$/.test(amountMinor)) {
      throw new BillingException(BillingErrorCode.INVALID_AMOUNT, 'amountMinor is an integer');
    }
    return toStripeLinkModel(
      await this.stripe.createTopUpCheckout(
        requireOrg(principal),
        Number(amountMinor),
        auditActorOf(principal),
      ),
    );
  }

  @Scopes('admin')
  @Mutation(() => StripeLinkModel, {
    description:
      'A Stripe Checkout page that subscribes the organization to a plan (owner). Audited.',
  })
  async createSubscriptionCheckout(
    @CurrentPrincipal() principal: Principal,
    @Args('planId', { type: () => ID }) planId: string,
  ): Promise<StripeLinkModel> {
    return toStripeLinkModel(
      await this.stripe.createSubscriptionCheckout(
        requireOrg(principal),
        planId,
        auditActorOf(principal),
      ),
    );
  }

  @Scopes('admin')
  @Mutation(() => StripeLinkModel, {
    description: "Stripe's billing portal: cards, invoices, the subscription (owner).",
  })
  async createBillingPortalSession(
    @CurrentPrincipal() principal: Principal,
  ): Promise<StripeLinkModel> {
    return toStripeLinkModel(await this.stripe.createBillingPortalSession(requireOrg(principal)));
  }
}
