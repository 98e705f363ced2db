import { Module } from '@nestjs/common';
import { BillingModule } from '../billing.module';
import { StripeModule } from '../stripe/stripe.module';
import { AutoRechargeJob } from './auto-recharge.job';
import { AutoRechargeResolver } from './auto-recharge.resolver';
import { AutoRechargeService } from './auto-recharge.service';

/** Auto-recharge: settings, saved cards, and the job that charges at Stripe. */
@Module({
  imports: [BillingModule, StripeModule],
  providers: [AutoRechargeService, AutoRechargeResolver, AutoRechargeJob],
})
export class AutoRechargeModule {}
