import { Module } from '@nestjs/common';
import { BillingModule } from '../billing.module';
import { MeterEventsJob } from './meter-events.job';
import { StripeBillingService } from './stripe-billing.service';
import { StripeWebhookController } from './stripe-webhook.controller';
import { StripeClient } from './stripe.client';
import { StripeRepository } from './stripe.repository';
import { StripeResolver } from './stripe.resolver';

/**
 * Stripe: customers, Checkout, the billing portal, webhooks (POST /webhooks/stripe), overage
 * reported as meter events.
 */
@Module({
  imports: [BillingModule],
  controllers: [StripeWebhookController],
  providers: [StripeClient, StripeRepository, StripeBillingService, StripeResolver, MeterEventsJob],
  exports: [StripeClient, StripeRepository],
})
export class StripeModule {}
