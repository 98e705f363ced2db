import { Module } from '@nestjs/common';
import { BillingModule } from '../billing.module';
import { StripeModule } from '../stripe/stripe.module';
import { PlanChangesJob } from './plan-changes.job';
import { PlanChangesResolver } from './plan-changes.resolver';
import { PlanChangesService } from './plan-changes.service';

/** An owner's plan changes and the boundary job that applies pending downgrades. */
@Module({
  imports: [BillingModule, StripeModule],
  providers: [PlanChangesService, PlanChangesResolver, PlanChangesJob],
})
export class PlanChangesModule {}
