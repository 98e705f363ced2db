import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { BILLING_CONFIG, type BillingConfig } from '../config';

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
  }): Promise<StripeLink> {
    const session = await this.call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
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
