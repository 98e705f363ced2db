import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction, type SqlRunner } from '@switchboard/tenancy';
import { BillingErrorCode, BillingException } from '../common/billing.exception';
import { TenantRepository } from '@switchboard/tenancy';
import {
  planProblems,
  priceProblems,
  type PlanDefinition,
  type PriceDefinition,
} from '../domain/catalog';
import { BILLING_CONFIG, type BillingConfig } from '../config';
import { countryOf, type MessageKind, type RouteName } from '../domain/pricing';
import { QuotaService } from '../quota/quota.service';
import { WalletService } from '../wallet/wallet.service';
import type { OrganizationPlanRecord, PlanRecord, PriceRecord } from './plan.record';
import { PlanRepository, type PriceInForce, type PriceQuestion } from './plan.repository';

/**
 * Plans, the price book, and each organization's plan. An organization is registered when
 * billing first sees it (accounts' `created`, or its first metered message or request): the
 * default plan, an empty wallet, a first quota published.
 */
@Injectable()
export class PlansService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly plans: PlanRepository,
    private readonly tenants: TenantRepository,
    private readonly wallets: WalletService,
    private readonly quotas: QuotaService,
    private readonly clock: Clock,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  /** The plan new organizations start on, and return to when a subscription ends. */
  get defaultPlanId(): string {
    return this.config.DEFAULT_PLAN_ID;
  }

  /**
   * The organization's plan row, locked for the rest of `tx` (every change of one
   * organization's money is serialized on it); registers the organization the first time.
   */
  async lockAccount(tx: SqlRunner, orgId: string): Promise<OrganizationPlanRecord> {
    const found = await this.plans.findOrganizationPlan(tx, orgId, true);
    if (found) return found;
    await this.tenants.register(tx, orgId);
    await this.plans.insertOrganizationPlan(tx, orgId, this.defaultPlanId, this.clock.now());
    const account = (await this.plans.findOrganizationPlan(tx, orgId, true))!;
    await this.wallets.ensure(tx, orgId);
    await this.quotas.publish(tx, orgId);
    return account;
  }

  /**
   * `lockAccount` and the account's plan, in one round trip once registered; with `price`,
   * priceInForce's answer in the same round trip (when it had one: else not read or none).
   */
  async lockAccountWithPlan(
    tx: SqlRunner,
    orgId: string,
    price?: PriceQuestion,
  ): Promise<{ account: OrganizationPlanRecord; plan: PlanRecord; price?: PriceInForce }> {
    const found = await this.plans.lockOrganizationPlanWithPlan(tx, orgId, price);
    const account = found?.account ?? (await this.lockAccount(tx, orgId));
    const plan = found?.plan ?? (await this.plans.findPlan(tx, account.planId));
    if (!plan) throw new Error(`organization ${orgId}: plan ${account.planId} not found`);
    return { account, plan, ...(found?.price ? { price: found.price } : {}) };
  }

  async register(tx: SqlRunner, orgId: string): Promise<void> {
    await this.lockAccount(tx, orgId);
  }

  myPlan(orgId: string): Promise<{ account: OrganizationPlanRecord; plan: PlanRecord }> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.lockAccountWithPlan(tx, orgId));
  }

  listPlans(): Promise<PlanRecord[]> {
    return inGlobalTransaction(this.dataSource, (tx) => this.plans.listPlans(tx));
  }

  /** The price in force now (or at `at`) for a destination country (or number) and route. */
  price(input: {
    country?: string;
    phoneNumber?: string;
    route: RouteName;
    kind: MessageKind;
    at?: Date;
  }): Promise<PriceRecord> {
    const country = input.country ?? (input.phoneNumber ? countryOf(input.phoneNumber) : '*');
    return inGlobalTransaction(this.dataSource, async (tx) => {
      const found = await this.priceAt(
        tx,
        country.toUpperCase(),
        input.route,
        input.kind,
        input.at ?? this.clock.now(),
      );
      return found;
    });
  }

  async priceAt(
    tx: SqlRunner,
    country: string,
    route: RouteName,
    kind: MessageKind,
    at: Date,
  ): Promise<PriceRecord> {
    return found(await this.plans.priceAt(tx, country, route, kind, at), country, route, kind);
  }

  /** priceAt's price, and until when it stays the answer (null: no later version yet). */
  async priceInForce(
    tx: SqlRunner,
    country: string,
    route: RouteName,
    kind: MessageKind,
    at: Date,
  ): Promise<PriceInForce> {
    return found(await this.plans.priceInForce(tx, country, route, kind, at), country, route, kind);
  }

  /** A platform admin puts an organization on a plan at once (audited by the admin operation). */
  assignPlan(
    orgId: string,
    planId: string,
  ): Promise<{ account: OrganizationPlanRecord; plan: PlanRecord }> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.lockAccount(tx, orgId);
      const plan = await this.plans.findPlan(tx, planId);
      if (!plan) throw new BillingException(BillingErrorCode.PLAN_NOT_FOUND, `No plan ${planId}`);
      await this.plans.setPlan(tx, orgId, planId, this.clock.now());
      await this.quotas.publish(tx, orgId);
      return { account: (await this.plans.findOrganizationPlan(tx, orgId))!, plan };
    });
  }

  /** A platform admin creates or changes a plan (audited by the admin operation). */
  savePlan(definition: PlanDefinition, by: string): Promise<PlanRecord> {
    const problems = planProblems(definition);
    if (problems.length)
      throw new BillingException(BillingErrorCode.INVALID_PLAN, problems.join('; '));
    return inGlobalTransaction(this.dataSource, (tx) =>
      this.plans.savePlan(tx, definition, this.clock.now(), by),
    );
  }

  /** A platform admin adds a price version (effective now or later; never rewrites one). */
  addPrice(definition: PriceDefinition, by: string, reason: string): Promise<PriceRecord> {
    const now = this.clock.now();
    const problems = priceProblems(definition, now);
    if (problems.length)
      throw new BillingException(BillingErrorCode.INVALID_PRICE, problems.join('; '));
    return inGlobalTransaction(this.dataSource, async (tx) => {
      const added = await this.plans.addPrice(tx, randomUUID(), definition, now, by, reason);
      if (!added) {
        throw new BillingException(
          BillingErrorCode.INVALID_PRICE,
          'A version with this effective time exists',
        );
      }
      return added;
    });
  }
}

/** A price, or PRICE_NOT_FOUND naming what has none. */
function found<T>(price: T | undefined, country: string, route: RouteName, kind: MessageKind): T {
  if (!price) {
    throw new BillingException(
      BillingErrorCode.PRICE_NOT_FOUND,
      `No ${kind} price for ${country} on ${route}`,
    );
  }
  return price;
}
