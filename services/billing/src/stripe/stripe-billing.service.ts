import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxWriter, type AuditRecord } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction, type SqlRunner } from '@switchboard/tenancy';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { effectOf, type StripeEffect } from '../domain/stripe-events';
import { PlanRepository } from '../plans/plan.repository';
import { PlansService } from '../plans/plans.service';
import { QuotaService } from '../quota/quota.service';
import { WalletService } from '../wallet/wallet.service';
import { StripeClient, type StripeInvoice, type StripeLink } from './stripe.client';
import { StripeRepository } from './stripe.repository';

/** Top-ups from 1.00 to 10,000.00 in the wallet's currency (minor units). */
const MIN_TOP_UP = 100;
const MAX_TOP_UP = 1_000_000;

/**
 * Stripe: a customer per organization, Checkout for top-ups, the billing portal, and the
 * webhooks. A webhook is verified on its raw body, recorded by event id in the transaction of
 * its effect (a redelivery does nothing), and its effect does not depend on event order: a
 * top-up credits once per Checkout Session, a subscription change applies only when newer.
 */
@Injectable()
export class StripeBillingService {
  private readonly logger = new Logger(StripeBillingService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: StripeClient,
    private readonly repository: StripeRepository,
    private readonly plans: PlansService,
    private readonly planRepository: PlanRepository,
    private readonly wallets: WalletService,
    private readonly quotas: QuotaService,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  async createTopUpCheckout(
    orgId: string,
    amountMinor: number,
    actor: AuditRecord['actor'],
    saveCard = false,
  ): Promise<StripeLink> {
    if (
      !Number.isSafeInteger(amountMinor) ||
      amountMinor < MIN_TOP_UP ||
      amountMinor > MAX_TOP_UP
    ) {
      throw new BillingException(
        BillingErrorCode.INVALID_AMOUNT,
        `A top-up is ${MIN_TOP_UP}–${MAX_TOP_UP} minor units of ${this.config.BILLING_CURRENCY}`,
      );
    }
    const customerId = await this.customerOf(orgId);
    const link = await this.stripe.createTopUpCheckout({
      orgId,
      customerId,
      amountMinor,
      currency: this.config.BILLING_CURRENCY,
      idempotencyKey: `top-up:${orgId}:${randomUUID()}`,
      saveCard,
    });
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const at = this.clock.now();
      await this.repository.addCheckoutSession(
        tx,
        orgId,
        {
          id: link.id,
          kind: 'TOPUP',
          amountMinor,
          currency: this.config.BILLING_CURRENCY,
          planId: null,
        },
        at,
      );
      await this.outbox.audit(tx, {
        actor,
        action: 'wallet.top_up_checkout',
        orgId,
        resourceType: 'checkout_session',
        resourceId: link.id,
        outcome: 'success',
        metadata: { amount_minor: String(amountMinor), currency: this.config.BILLING_CURRENCY },
        occurredAt: at,
      });
    });
    return link;
  }

  /**
   * A Checkout page that subscribes the organization to a plan with a Stripe price; the plan
   * changes when Stripe's subscription events arrive (upgrades at once, prorated by Stripe).
   */
  async createSubscriptionCheckout(
    orgId: string,
    planId: string,
    actor: AuditRecord['actor'],
  ): Promise<StripeLink> {
    const plan = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.planRepository.findPlan(tx, planId),
    );
    if (!plan?.stripePriceId) {
      throw new BillingException(
        BillingErrorCode.PLAN_NOT_FOUND,
        `No plan ${planId} with a Stripe price`,
      );
    }
    const customerId = await this.customerOf(orgId);
    const link = await this.stripe.createSubscriptionCheckout({
      orgId,
      customerId,
      stripePriceId: plan.stripePriceId,
      idempotencyKey: `subscribe:${orgId}:${randomUUID()}`,
    });
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const at = this.clock.now();
      await this.repository.addCheckoutSession(
        tx,
        orgId,
        { id: link.id, kind: 'SUBSCRIPTION', amountMinor: null, currency: null, planId },
        at,
      );
      await this.outbox.audit(tx, {
        actor,
        action: 'billing_plan.subscription_checkout',
        orgId,
        resourceType: 'checkout_session',
        resourceId: link.id,
        outcome: 'success',
        metadata: { plan_id: planId },
        occurredAt: at,
      });
    });
    return link;
  }

  /**
   * The organization's invoices at Stripe, newest first, `limit` after the invoice
   * `startingAfter`; none while it has no Stripe customer (nothing is created to list them).
   */
  async invoices(
    orgId: string,
    limit: number,
    startingAfter?: string,
  ): Promise<{ invoices: StripeInvoice[]; hasMore: boolean }> {
    const customerId = await inTenantTransaction(
      this.dataSource,
      orgId,
      async (tx) => (await this.plans.lockAccount(tx, orgId)).stripeCustomerId,
    );
    if (!customerId || limit === 0) return { invoices: [], hasMore: false };
    return this.stripe.listInvoices({ customerId, limit, startingAfter });
  }

  async createBillingPortalSession(orgId: string): Promise<StripeLink> {
    return this.stripe.createPortalSession(await this.customerOf(orgId));
  }

  /** A webhook delivery: verified (INVALID_SIGNATURE), deduplicated, applied. */
  async handleWebhook(rawBody: Buffer | undefined, signature: string | undefined): Promise<void> {
    const receivedAt = this.clock.now();
    const event = this.stripe.verifyWebhook(rawBody ?? Buffer.alloc(0), signature, receivedAt);
    const effect = effectOf(event);
    const createdAt = new Date(event.created * 1000);
    // Events that name only a customer: its organization, asked of Stripe before the transaction.
    const customerOrg =
      effect.kind === 'SUBSCRIPTION' || effect.kind === 'CARD'
        ? await this.stripe.orgOfCustomer(effect.customerId)
        : undefined;
    await inGlobalTransaction(this.dataSource, async (tx, enterTenant) => {
      if (!(await this.repository.recordEvent(tx, event.id, event.type, createdAt, receivedAt)))
        return;
      await this.apply(tx, enterTenant, effect, createdAt, customerOrg);
    });
  }

  private async apply(
    tx: SqlRunner,
    enterTenant: (orgId: string) => Promise<void>,
    effect: StripeEffect,
    eventAt: Date,
    customerOrg: string | undefined,
  ): Promise<void> {
    const at = this.clock.now();
    switch (effect.kind) {
      case 'TOP_UP': {
        await enterTenant(effect.orgId);
        await this.plans.lockAccount(tx, effect.orgId);
        await this.repository.completeCheckoutSession(tx, effect.orgId, effect.sessionId, at);
        const credited = await this.wallets.topUp(tx, effect.orgId, {
          reference: effect.sessionId,
          amountMinor: effect.amountMinor,
          currency: effect.currency,
          description: 'Stripe Checkout top-up',
        });
        if (credited) await this.quotas.publish(tx, effect.orgId);
        return;
      }
      case 'SUBSCRIPTION': {
        const orgId = await this.ownerOf(tx, enterTenant, effect.customerId, customerOrg);
        if (!orgId) return;
        const plan =
          effect.active && effect.stripePriceId
            ? await this.planRepository.findPlanByStripePrice(tx, effect.stripePriceId)
            : undefined;
        const applied = await this.planRepository.applySubscription(
          tx,
          orgId,
          {
            planId: plan?.id ?? this.plans.defaultPlanId,
            subscriptionId: effect.subscriptionId,
            status: effect.status,
            eventAt,
          },
          at,
        );
        if (applied) await this.quotas.publish(tx, orgId);
        return;
      }
      case 'CARD': {
        const orgId = await this.ownerOf(tx, enterTenant, effect.customerId, customerOrg);
        if (!orgId || !/^\d{4}$/.test(effect.last4)) return;
        await this.repository.savePaymentMethod(
          tx,
          orgId,
          {
            id: effect.paymentMethodId,
            brand: effect.brand,
            last4: effect.last4,
            expMonth: effect.expMonth,
            expYear: effect.expYear,
          },
          at,
        );
        return;
      }
      case 'RECHARGE': {
        await enterTenant(effect.orgId);
        await this.plans.lockAccount(tx, effect.orgId);
        const credited = await this.wallets.settleRecharge(
          tx,
          effect.orgId,
          effect.attemptId,
          effect.succeeded
            ? {
                status: 'SUCCEEDED',
                paymentIntentId: effect.paymentIntentId,
                amountMinor: effect.amountMinor,
                currency: effect.currency,
              }
            : {
                status: 'FAILED',
                paymentIntentId: effect.paymentIntentId,
                failureCode: effect.failureCode,
              },
        );
        if (credited) await this.quotas.publish(tx, effect.orgId);
        return;
      }
      case 'IGNORE':
        return;
    }
  }

  /**
   * Enters the organization of a customer-scoped event and locks its account, when the
   * customer really is that organization's (its metadata could name any organization).
   */
  private async ownerOf(
    tx: SqlRunner,
    enterTenant: (orgId: string) => Promise<void>,
    customerId: string,
    orgId: string | undefined,
  ): Promise<string | undefined> {
    if (!orgId) {
      this.logger.warn({ msg: 'Stripe event of a customer billing did not create', customerId });
      return undefined;
    }
    await enterTenant(orgId);
    const account = await this.plans.lockAccount(tx, orgId);
    if (account.stripeCustomerId !== customerId) {
      this.logger.warn({ msg: 'Stripe customer is not the organization’s', customerId, orgId });
      return undefined;
    }
    return orgId;
  }

  /** The organization's Stripe customer, created (idempotently) the first time. */
  private async customerOf(orgId: string): Promise<string> {
    const known = await inTenantTransaction(
      this.dataSource,
      orgId,
      async (tx) => (await this.plans.lockAccount(tx, orgId)).stripeCustomerId,
    );
    if (known) return known;
    const customerId = await this.stripe.createCustomer(orgId);
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.plans.lockAccount(tx, orgId);
      await this.planRepository.setStripeCustomer(tx, orgId, customerId);
    });
    return customerId;
  }
}
