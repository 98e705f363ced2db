import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxWriter, type AuditRecord } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, type SqlRunner } from '@switchboard/tenancy';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { autoRechargeProblems } from '../domain/auto-recharge';
import { PlanRepository } from '../plans/plan.repository';
import { PlansService } from '../plans/plans.service';
import { QuotaService } from '../quota/quota.service';
import { StripeClient } from '../stripe/stripe.client';
import { StripeRepository, type PaymentMethodRecord } from '../stripe/stripe.repository';
import { AutoRechargeRepository } from '../wallet/auto-recharge.repository';
import type { AutoRechargeAttemptRecord, AutoRechargeRecord } from '../wallet/wallet.record';
import { WalletService } from '../wallet/wallet.service';

export interface AutoRechargeView {
  settings: AutoRechargeRecord | undefined;
  paymentMethod: PaymentMethodRecord | undefined;
  lastAttempt: AutoRechargeAttemptRecord | undefined;
}

/**
 * Auto-recharge: the owner picks a card saved at Stripe (a top-up Checkout with `saveCard`), a
 * threshold and an amount. The wallet asks for a charge when its available balance falls below
 * the threshold (one in flight at most); `runPending` (AutoRechargeJob) charges it off-session
 * with the attempt's id as Idempotency-Key, and the outcome — from that call or from Stripe's
 * payment_intent webhook, whichever comes first — credits the wallet once or pauses auto-recharge
 * with an alert.
 */
@Injectable()
export class AutoRechargeService {
  private readonly logger = new Logger(AutoRechargeService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: AutoRechargeRepository,
    private readonly stripeRepository: StripeRepository,
    private readonly planRepository: PlanRepository,
    private readonly plans: PlansService,
    private readonly wallets: WalletService,
    private readonly quotas: QuotaService,
    private readonly stripe: StripeClient,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  get(orgId: string): Promise<AutoRechargeView> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.view(tx, orgId));
  }

  paymentMethods(orgId: string): Promise<PaymentMethodRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.stripeRepository.listPaymentMethods(tx, orgId),
    );
  }

  enable(
    orgId: string,
    input: { belowMinor: number; amountMinor: number; paymentMethodId: string },
    actor: AuditRecord['actor'],
  ): Promise<AutoRechargeView> {
    const problems = autoRechargeProblems(input);
    if (problems.length)
      throw new BillingException(BillingErrorCode.INVALID_AMOUNT, problems.join('; '));
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const at = this.clock.now();
      await this.plans.lockAccount(tx, orgId);
      const cards = await this.stripeRepository.listPaymentMethods(tx, orgId);
      if (!cards.some((c) => c.id === input.paymentMethodId)) {
        throw new BillingException(
          BillingErrorCode.PAYMENT_METHOD_NOT_FOUND,
          'No saved card with this id: save one with a top-up (saveCard: true)',
        );
      }
      await this.repository.save(
        tx,
        orgId,
        { ...input, stripePaymentMethodId: input.paymentMethodId },
        at,
      );
      await this.wallets.setAutoRechargeBelow(tx, orgId, input.belowMinor);
      await this.audit(tx, orgId, actor, 'wallet.auto_recharge_set', {
        below_minor: String(input.belowMinor),
        amount_minor: String(input.amountMinor),
      });
      return this.view(tx, orgId);
    });
  }

  disable(orgId: string, actor: AuditRecord['actor']): Promise<AutoRechargeView> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.plans.lockAccount(tx, orgId);
      await this.repository.remove(tx, orgId);
      await this.wallets.setAutoRechargeBelow(tx, orgId, null);
      await this.audit(tx, orgId, actor, 'wallet.auto_recharge_disable', {});
      return this.view(tx, orgId);
    });
  }

  /**
   * Charges the organization's attempt in flight, if any (the job; leader only). The attempt row
   * stays locked during the call, so two runs never charge it twice; Stripe unreachable leaves
   * it PENDING for the next run (the same Idempotency-Key: one charge). True when settled.
   */
  runPending(orgId: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const attempt = await this.repository.pending(tx, orgId);
      if (!attempt) return false;
      const customerId = (await this.planRepository.findOrganizationPlan(tx, orgId))
        ?.stripeCustomerId;
      const charged = customerId
        ? await this.stripe
            .chargeOffSession({
              customerId,
              paymentMethodId: attempt.stripePaymentMethodId,
              amountMinor: attempt.amountMinor,
              currency: attempt.currency,
              metadata: { org_id: orgId, kind: 'auto_recharge', attempt_id: attempt.id },
              idempotencyKey: `auto-recharge:${attempt.id}`,
            })
            .catch((error: unknown) => {
              if (error instanceof BillingException && error.code === 'STRIPE_UNAVAILABLE') {
                this.logger.warn({
                  msg: 'auto-recharge: Stripe unavailable, retried later',
                  orgId,
                });
                return undefined;
              }
              throw error;
            })
        : ({ status: 'FAILED', paymentIntentId: null, failureCode: 'no_customer' } as const);
      if (!charged || charged.status === 'PROCESSING') return false;
      await this.plans.lockAccount(tx, orgId);
      const credited = await this.wallets.settleRecharge(
        tx,
        orgId,
        attempt.id,
        charged.status === 'SUCCEEDED'
          ? {
              status: 'SUCCEEDED',
              paymentIntentId: charged.paymentIntentId,
              amountMinor: attempt.amountMinor,
              currency: attempt.currency,
            }
          : charged,
      );
      if (credited) await this.quotas.publish(tx, orgId);
      return true;
    });
  }

  private async view(tx: SqlRunner, orgId: string): Promise<AutoRechargeView> {
    const settings = await this.repository.find(tx, orgId);
    const cards = settings ? await this.stripeRepository.listPaymentMethods(tx, orgId) : [];
    return {
      settings,
      paymentMethod: cards.find((c) => c.id === settings?.stripePaymentMethodId),
      lastAttempt: await this.repository.latest(tx, orgId),
    };
  }

  private async audit(
    tx: SqlRunner,
    orgId: string,
    actor: AuditRecord['actor'],
    action: string,
    metadata: Record<string, string>,
  ): Promise<void> {
    await this.outbox.audit(tx, {
      actor,
      action,
      orgId,
      resourceType: 'wallet',
      resourceId: orgId,
      outcome: 'success',
      metadata,
      occurredAt: this.clock.now(),
    });
  }
}
