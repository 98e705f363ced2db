import { Module } from '@nestjs/common';
import { BillingModule } from '../billing.module';
import { StripeBillingService } from './stripe-billing.service';
import { StripeWebhookController } from './stripe-webhook.controller';
import { StripeClient } from './stripe.client';
import { StripeRepository } from './stripe.repository';
import { StripeResolver } from './stripe.resolver';

/** Stripe: customers, Checkout, the billing portal, webhooks (POST /webhooks/stripe). */
@Module({
  imports: [BillingModule],
  controllers: [StripeWebhookController],
  providers: [StripeClient, StripeRepository, StripeBillingService, StripeResolver],
})
export class StripeModule {}
