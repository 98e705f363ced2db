import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { pageWindow } from '@switchboard/service-kit';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { StripeBillingService } from './stripe-billing.service';
import {
  InvoiceConnection,
  invoiceIdOfCursor,
  StripeLinkModel,
  toInvoiceConnection,
  toStripeLinkModel,
} from './stripe.model';

/** Paying: Checkout for top-ups, Stripe's billing portal, the invoices (the owner: `admin`). */
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
    @Args('saveCard', {
      type: () => Boolean,
      nullable: true,
      description: 'Keep the card at Stripe for automatic recharges (setup_future_usage).',
    })
    saveCard?: boolean | null,
  ): Promise<StripeLinkModel> {
    if (!/^\d{1,10}$/.test(amountMinor)) {
      throw new BillingException(BillingErrorCode.INVALID_AMOUNT, 'amountMinor is an integer');
    }
    return toStripeLinkModel(
      await this.stripe.createTopUpCheckout(
        requireOrg(principal),
        Number(amountMinor),
        auditActorOf(principal),
        saveCard ?? false,
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
  @Query(() => InvoiceConnection, {
    description: "The organization's Stripe invoices, newest first (owner; Relay, first ≤ 100).",
  })
  async invoices(
    @CurrentPrincipal() principal: Principal,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<InvoiceConnection> {
    const window = pageWindow(
      { first, after },
      {
        decode: invoiceIdOfCursor,
        invalid: (message) => new BillingException(BillingErrorCode.INVALID_PAGINATION, message),
        defaultSize: 10,
      },
    );
    const page = await this.stripe.invoices(requireOrg(principal), window.limit, window.after);
    return toInvoiceConnection(page, window.after !== undefined);
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
