import { Module } from '@nestjs/common';
import { AUDIT_SINK } from '@switchboard/auth';
import { OutboxAuditSink } from '@switchboard/events';
import { BillingEventsWriter } from './common/billing-events.writer';
import { TenantRepository } from '@switchboard/tenancy';
import { MeterEventsRepository } from './metering/meter-events.repository';
import { MeteringConsumer } from './metering/metering.consumer';
import { MeteringService } from './metering/metering.service';
import { UsageRepository } from './metering/usage.repository';
import { CampaignPreviewCostResolver } from './estimates/campaign-preview-cost.resolver';
import { SendCostService } from './estimates/send-cost.service';
import { UsageResolver } from './metering/usage.resolver';
import { UsageService } from './metering/usage.service';
import { OrganizationConsumer } from './organizations/organization.consumer';
import { PlanRepository } from './plans/plan.repository';
import { PlansResolver } from './plans/plans.resolver';
import { PlansService } from './plans/plans.service';
import { QuotaService } from './quota/quota.service';
import { AutoRechargeRepository } from './wallet/auto-recharge.repository';
import { WalletRepository } from './wallet/wallet.repository';
import { WalletResolver } from './wallet/wallet.resolver';
import { WalletService } from './wallet/wallet.service';

/**
 * The billing core: plans and prices, metering, the wallet, quotas. Exports what other billing
 * features (Stripe) use. Also this service's AUDIT_SINK: platform-admin changes of plans and
 * prices are audit entries (compliance.audit.v1, through the outbox).
 */
@Module({
  providers: [
    BillingEventsWriter,
    TenantRepository,
    PlanRepository,
    UsageRepository,
    MeterEventsRepository,
    WalletRepository,
    AutoRechargeRepository,
    WalletService,
    QuotaService,
    PlansService,
    MeteringService,
    UsageService,
    OrganizationConsumer,
    MeteringConsumer,
    PlansResolver,
    UsageResolver,
    WalletResolver,
    SendCostService,
    CampaignPreviewCostResolver,
    { provide: AUDIT_SINK, useClass: OutboxAuditSink },
  ],
  exports: [
    AutoRechargeRepository,
    PlansService,
    WalletService,
    QuotaService,
    PlanRepository,
    MeterEventsRepository,
    TenantRepository,
  ],
})
export class BillingModule {}
