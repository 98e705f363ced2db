import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { BILLING_CONFIG, type BillingConfig } from '../config';

/** An invoice as Stripe lists it, reduced to what the API shows. */
export interface StripeInvoice {
  id: string;
  number: string | null;
  status: string | null;
  currency: string;
  totalMinor: number;
  amountDueMinor: number;
  amountPaidMinor: number;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  periodStart: Date;
  periodEnd: Date;
  createdAt: Date;
}

/** A Checkout Session or portal link as this service keeps it (Stripe ids and URLs only). */
export interface StripeLink {
  id: string;
  url: string;
}

/**
 * The Stripe API through the official client, pointed at STRIPE_API_BASE (Stripe, or the local
 * test server), with idempotency keys on every create. Stripe's errors become
 * STRIPE_REQUEST_FAILED (its message kept) or STRIPE_UNAVAILABLE (network, 429, 5xx).
 */
@Injectable()
export class StripeClient {
  private readonly stripe: Stripe;

  constructor(@Inject(BILLING_CONFIG) private readonly config: BillingConfig) {
    const base = new URL(config.STRIPE_API_BASE);
    this.stripe = new Stripe(config.STRIPE_SECRET_KEY, {
      host: base.hostname,
      port: base.port || (base.protocol === 'https:' ? 443 : 80),
      protocol: base.protocol === 'https:' ? 'https' : 'http',
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
    });
  }

  async createCustomer(orgId: string): Promise<string> {
    const customer = await this.call(() =>
      this.stripe.customers.create(
        { metadata: { org_id: orgId } },
        { idempotencyKey: `customer:${orgId}` },
      ),
    );
    return customer.id;
  }

  /**
   * The organization a Stripe customer belongs to (its `metadata.org_id`, set when billing
   * created it), or undefined. Webhooks name only the customer.
   */
  async orgOfCustomer(customerId: string): Promise<string | undefined> {
    const customer = await this.call(() => this.stripe.customers.retrieve(customerId));
    const orgId = 'deleted' in customer && customer.deleted ? undefined : customer.metadata?.org_id;
    return orgId && /^[0-9a-f-]{36}$/i.test(orgId) ? orgId.toLowerCase() : undefined;
  }

  /** A one-off payment that tops up the wallet (mode `payment`). */
  async createTopUpCheckout(input: {
    orgId: string;
    customerId: string;
    amountMinor: number;
    currency: string;
    idempotencyKey: string;
    /** Keep the card at Stripe for off-session charges (auto-recharge). */
    saveCard?: boolean;
  }): Promise<StripeLink> {
    const session = await this.call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          ...(input.saveCard
            ? { payment_intent_data: { setup_future_usage: 'off_session' as const } }
            : {}),
          customer: input.customerId,
          client_reference_id: input.orgId,
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: input.amountMinor,
                product_data: { name: 'Switchboard credits' },
              },
            },
          ],
          metadata: { org_id: input.orgId, kind: 'wallet_top_up' },
          success_url: `${this.config.PUBLIC_APP_URL}/billing?top_up=success`,
          cancel_url: `${this.config.PUBLIC_APP_URL}/billing?top_up=canceled`,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: session.id, url: session.url ?? '' };
  }

  /** A subscription to a plan's Stripe price (mode `subscription`). */
  async createSubscriptionCheckout(input: {
    orgId: string;
    customerId: string;
    stripePriceId: string;
    idempotencyKey: string;
  }): Promise<StripeLink> {
    const session = await this.call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer: input.customerId,
          client_reference_id: input.orgId,
          line_items: [{ price: input.stripePriceId, quantity: 1 }],
          subscription_data: { metadata: { org_id: input.orgId } },
          metadata: { org_id: input.orgId, kind: 'subscription' },
          success_url: `${this.config.PUBLIC_APP_URL}/billing?subscription=success`,
          cancel_url: `${this.config.PUBLIC_APP_URL}/billing?subscription=canceled`,
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { id: session.id, url: session.url ?? '' };
  }

  async createPortalSession(customerId: string): Promise<StripeLink> {
    const session = await this.call(() =>
      this.stripe.billingPortal.sessions.create({
        customer: customerId,
        return_url: `${this.config.PUBLIC_APP_URL}/billing`,
      }),
    );
    return { id: session.id, url: session.url };
  }

  /**
   * A customer's invoices, newest first (`GET /v1/invoices?customer=…`, Stripe's list
   * pagination: `limit`, `starting_after`, `has_more`).
   */
  async listInvoices(input: {
    customerId: string;
    limit: number;
    startingAfter?: string;
  }): Promise<{ invoices: StripeInvoice[]; hasMore: boolean }> {
    const page = await this.call(() =>
      this.stripe.invoices.list({
        customer: input.customerId,
        limit: input.limit,
        ...(input.startingAfter ? { starting_after: input.startingAfter } : {}),
      }),
    );
    const at = (seconds: number) => new Date(seconds * 1000);
    return {
      hasMore: page.has_more,
      invoices: page.data.map((i) => ({
        id: i.id!,
        number: i.number ?? null,
        status: i.status ?? null,
        currency: i.currency.toUpperCase(),
        totalMinor: i.total,
        amountDueMinor: i.amount_due,
        amountPaidMinor: i.amount_paid,
        hostedInvoiceUrl: i.hosted_invoice_url ?? null,
        invoicePdf: i.invoice_pdf ?? null,
        periodStart: at(i.period_start),
        periodEnd: at(i.period_end),
        createdAt: at(i.created),
      })),
    };
  }

  /**
   * Charges a saved card without the customer present (auto-recharge): a PaymentIntent created
   * and confirmed off-session, with `idempotencyKey` (a repeated run charges once). A declined
   * card or one that needs the customer (authentication_required) is `FAILED` with Stripe's
   * code; `PROCESSING` waits for the webhook; Stripe unreachable throws STRIPE_UNAVAILABLE.
   */
  async chargeOffSession(input: {
    customerId: string;
    paymentMethodId: string;
    amountMinor: number;
    currency: string;
    metadata: Record<string, string>;
    idempotencyKey: string;
  }): Promise<
    | { status: 'SUCCEEDED'; paymentIntentId: string }
    | { status: 'PROCESSING'; paymentIntentId: string }
    | { status: 'FAILED'; paymentIntentId: string | null; failureCode: string }
  > {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          off_session: true,
          confirm: true,
          metadata: input.metadata,
        },
        { idempotencyKey: input.idempotencyKey },
      );
      if (intent.status === 'succeeded') return { status: 'SUCCEEDED', paymentIntentId: intent.id };
      if (intent.status === 'processing')
        return { status: 'PROCESSING', paymentIntentId: intent.id };
      return { status: 'FAILED', paymentIntentId: intent.id, failureCode: intent.status };
    } catch (error) {
      const status = error instanceof Stripe.errors.StripeError ? (error.statusCode ?? 0) : 0;
      if (
        error instanceof Stripe.errors.StripeError &&
        status > 0 &&
        status < 500 &&
        status !== 429
      ) {
        const intent = (error.raw as { payment_intent?: { id?: string } } | undefined)
          ?.payment_intent;
        return {
          status: 'FAILED',
          paymentIntentId: intent?.id ?? null,
          failureCode: error.code ?? error.type,
        };
      }
      return this.call(() => Promise.reject(error));
    }
  }

  /**
   * Puts a subscription on another price (its one item): with Stripe's proration for an upgrade
   * (`create_prorations`: the customer pays the difference for the rest of Stripe's period), or
   * without (`none`) for a downgrade at the period boundary.
   */
  async switchSubscriptionPrice(input: {
    subscriptionId: string;
    priceId: string;
    prorate: boolean;
    idempotencyKey: string;
  }): Promise<void> {
    const subscription = await this.call(() =>
      this.stripe.subscriptions.retrieve(input.subscriptionId),
    );
    const item = subscription.items.data[0];
    if (item?.price.id === input.priceId) return;
    await this.call(() =>
      this.stripe.subscriptions.update(
        input.subscriptionId,
        {
          items: item ? [{ id: item.id, price: input.priceId }] : [{ price: input.priceId }],
          proration_behavior: input.prorate ? 'create_prorations' : 'none',
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
  }

  /** Ends a subscription now, without proration (a downgrade to a plan Stripe does not bill). */
  async cancelSubscription(subscriptionId: string): Promise<void> {
    try {
      await this.call(() => this.stripe.subscriptions.cancel(subscriptionId, { prorate: false }));
    } catch (error) {
      // Canceled before (a repeated boundary run): Stripe answers 404 resource_missing.
      if (stripeCode(error) !== 'resource_missing') throw error;
    }
  }

  /**
   * Usage for Stripe's metered billing (a meter event). `identifier` makes it idempotent:
   * Stripe counts an identifier once, so a report repeated after a crash counts once.
   */
  async reportUsage(input: {
    customerId: string;
    value: number;
    identifier: string;
    at: Date;
  }): Promise<void> {
    await this.call(() =>
      this.stripe.billing.meterEvents.create({
        event_name: this.config.STRIPE_METER_EVENT_NAME,
        payload: { stripe_customer_id: input.customerId, value: String(input.value) },
        identifier: input.identifier,
        timestamp: Math.floor(input.at.getTime() / 1000),
      }),
    );
  }

  /**
   * The event of a webhook delivery, verified with the library on the raw body
   * (`Stripe-Signature`, HMAC-SHA256, STRIPE_WEBHOOK_TOLERANCE_SECONDS), or INVALID_SIGNATURE.
   */
  verifyWebhook(rawBody: Buffer, signature: string | undefined, receivedAt: Date): Stripe.Event {
    try {
      return this.stripe.webhooks.constructEvent(
        rawBody,
        signature ?? '',
        this.config.STRIPE_WEBHOOK_SECRET,
        this.config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        undefined,
        // The library takes milliseconds here (and seconds in the header).
        receivedAt.getTime(),
      );
    } catch {
      throw new BillingException(
        BillingErrorCode.INVALID_SIGNATURE,
        'The Stripe signature does not verify',
      );
    }
  }

  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeError) {
        const status = error.statusCode ?? 0;
        if (status === 0 || status === 429 || status >= 500) {
          throw new BillingException(BillingErrorCode.STRIPE_UNAVAILABLE, 'Stripe is unavailable', {
            cause: error,
          });
        }
        throw new BillingException(BillingErrorCode.STRIPE_REQUEST_FAILED, error.message, {
          cause: error,
        });
      }
      throw error;
    }
  }
}

/** The Stripe error code under a BillingException (e.g. `resource_missing`), if any. */
function stripeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof Stripe.errors.StripeError ? cause.code : undefined;
}
