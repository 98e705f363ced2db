import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxWriter, type AuditRecord } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, type SqlRunner } from '@switchboard/tenancy';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import {
  boundaryStripeAction,
  decidePlanChange,
  type SubscriptionState,
} from '../domain/plan-change';
import { isActiveSubscription } from '../domain/stripe-events';
import type { OrganizationPlanRecord, PlanRecord } from '../plans/plan.record';
import { PlanRepository } from '../plans/plan.repository';
import { PlansService } from '../plans/plans.service';
import { QuotaService } from '../quota/quota.service';
import { StripeClient } from '../stripe/stripe.client';

const BILLING_SERVICE: AuditRecord['actor'] = Object.freeze({ kind: 'service', id: 'billing' });

export interface OrganizationPlanView {
  account: OrganizationPlanRecord;
  plan: PlanRecord;
}

/**
 * An owner's plan changes: upgrades at once (the Stripe subscription switched with Stripe's
 * proration), downgrades pending until the period boundary (cancelable; applied by
 * PlanChangesJob, the subscription switched without proration or ended). Every change of one
 * organization runs under its plan row lock, Stripe calls included, so a cancel and the
 * boundary never cross.
 */
@Injectable()
export class PlanChangesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlansService,
    private readonly repository: PlanRepository,
    private readonly quotas: QuotaService,
    private readonly stripe: StripeClient,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  changePlan(
    orgId: string,
    planId: string,
    actor: AuditRecord['actor'],
  ): Promise<OrganizationPlanView> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const account = await this.plans.lockAccount(tx, orgId);
      const [from, to] = await Promise.all([
        this.repository.findPlan(tx, account.planId),
        this.repository.findPlan(tx, planId),
      ]);
      if (!to) throw new BillingException(BillingErrorCode.PLAN_NOT_FOUND, `No plan ${planId}`);
      const decision = decidePlanChange(from!, to, subscriptionOf(account), now);
      switch (decision.kind) {
        case 'SAME':
          // Asking for the plan you are on drops a pending change.
          if (account.pendingPlanId) await this.repository.setPendingPlan(tx, orgId, null, now);
          break;
        case 'SUBSCRIPTION_REQUIRED':
          throw new BillingException(
            BillingErrorCode.SUBSCRIPTION_REQUIRED,
            `Subscribe to ${planId} through createSubscriptionCheckout`,
          );
        case 'NO_STRIPE_PRICE':
          throw new BillingException(
            BillingErrorCode.PLAN_NOT_FOUND,
            `No plan ${planId} with a Stripe price`,
          );
        case 'UPGRADE':
          if (decision.stripe) {
            await this.stripe.switchSubscriptionPrice({
              ...decision.stripe,
              prorate: true,
              idempotencyKey: `plan-upgrade:${orgId}:${decision.stripe.subscriptionId}:${to.id}`,
            });
          }
          await this.repository.setPlanAndSubscriptionTime(tx, orgId, to.id, now);
          await this.quotas.publish(tx, orgId);
          break;
        case 'DOWNGRADE':
          await this.repository.setPendingPlan(
            tx,
            orgId,
            { planId: to.id, effectiveAt: decision.effectiveAt },
            now,
          );
          break;
      }
      await this.audit(tx, orgId, actor, 'billing_plan.change', {
        from_plan_id: account.planId,
        plan_id: to.id,
        change: decision.kind,
      });
      return this.view(tx, orgId);
    });
  }

  cancelPlanChange(orgId: string, actor: AuditRecord['actor']): Promise<OrganizationPlanView> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const account = await this.plans.lockAccount(tx, orgId);
      if (account.pendingPlanId) {
        await this.repository.setPendingPlan(tx, orgId, null, this.clock.now());
        await this.audit(tx, orgId, actor, 'billing_plan.change_canceled', {
          plan_id: account.pendingPlanId,
        });
      }
      return this.view(tx, orgId);
    });
  }

  /**
   * Applies the organization's pending change when its time has come (the boundary job): the
   * subscription switched without proration, or ended for a plan Stripe does not bill; then the
   * plan, and a new quota. True when applied.
   */
  applyDue(orgId: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const now = this.clock.now();
      const account = await this.repository.findOrganizationPlan(tx, orgId, true);
      if (!account?.pendingPlanId || !account.pendingPlanAt || account.pendingPlanAt > now)
        return false;
      const to = (await this.repository.findPlan(tx, account.pendingPlanId))!;
      const action = boundaryStripeAction(to, subscriptionOf(account));
      if (action.kind === 'SWITCH') {
        await this.stripe.switchSubscriptionPrice({
          subscriptionId: action.subscriptionId,
          priceId: action.priceId,
          prorate: false,
          idempotencyKey: `plan-downgrade:${orgId}:${action.subscriptionId}:${to.id}:${account.pendingPlanAt.toISOString()}`,
        });
      } else if (action.kind === 'CANCEL') {
        await this.stripe.cancelSubscription(action.subscriptionId);
      }
      await this.repository.setPlanAndSubscriptionTime(tx, orgId, to.id, now);
      await this.quotas.publish(tx, orgId);
      await this.audit(tx, orgId, BILLING_SERVICE, 'billing_plan.change_applied', {
        from_plan_id: account.planId,
        plan_id: to.id,
      });
      return true;
    });
  }

  private async view(tx: SqlRunner, orgId: string): Promise<OrganizationPlanView> {
    const account = (await this.repository.findOrganizationPlan(tx, orgId))!;
    return { account, plan: (await this.repository.findPlan(tx, account.planId))! };
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
      resourceType: 'billing_plan',
      resourceId: metadata.plan_id,
      outcome: 'success',
      metadata,
      occurredAt: this.clock.now(),
    });
  }
}

function subscriptionOf(account: OrganizationPlanRecord): SubscriptionState | null {
  return account.stripeSubscriptionId
    ? {
        id: account.stripeSubscriptionId,
        active: isActiveSubscription(account.subscriptionStatus),
      }
    : null;
}
