import { Injectable } from '@nestjs/common';
import { row, rows, type SqlRunner } from '@switchboard/tenancy';
import type { PlanDefinition, PriceDefinition } from '../domain/catalog';
import type { MessageKind, RouteName } from '../domain/pricing';
import type { OrganizationPlanRecord, PlanRecord, PriceRecord } from './plan.record';

const PLAN = `id, name, currency, monthly_price_minor::float8 AS "monthlyPriceMinor",
  included_segments::float8 AS "includedSegments", device_limit AS "deviceLimit", routes,
  overage_allowed AS "overageAllowed", overage_price_minor::float8 AS "overagePriceMinor",
  refund_failed AS "refundFailed", stripe_price_id AS "stripePriceId", version::float8 AS version,
  updated_at AS "updatedAt"`;
const PRICE = `id, country, route, kind, currency, amount_minor::float8 AS "amountMinor",
  effective_from AS "effectiveFrom", reason`;
const ORG_PLAN = `org_id AS "orgId", plan_id AS "planId", pending_plan_id AS "pendingPlanId",
  pending_plan_at AS "pendingPlanAt",
  stripe_customer_id AS "stripeCustomerId", stripe_subscription_id AS "stripeSubscriptionId",
  subscription_status AS "subscriptionStatus", subscription_event_at AS "subscriptionEventAt",
  quota_version::float8 AS "quotaVersion"`;

/** The fields of ORG_PLAN, each named by its alias. */
const ORG_PLAN_FIELDS = [...ORG_PLAN.matchAll(/AS "(\w+)"/g)].map((m) => m[1]);

/** SQL of the plans, the price book and each organization's plan. */
@Injectable()
export class PlanRepository {
  findPlan(tx: SqlRunner, id: string): Promise<PlanRecord | undefined> {
    return row<PlanRecord>(tx, `SELECT ${PLAN} FROM plans WHERE id = $1`, [id]);
  }

  findPlanByStripePrice(tx: SqlRunner, stripePriceId: string): Promise<PlanRecord | undefined> {
    return row<PlanRecord>(tx, `SELECT ${PLAN} FROM plans WHERE stripe_price_id = $1`, [
      stripePriceId,
    ]);
  }

  listPlans(tx: SqlRunner): Promise<PlanRecord[]> {
    return rows<PlanRecord>(tx, `SELECT ${PLAN} FROM plans ORDER BY monthly_price_minor, id`);
  }

  /** Creates the plan or replaces its definition (version + 1). */
  async savePlan(tx: SqlRunner, plan: PlanDefinition, at: Date, by: string): Promise<PlanRecord> {
    return (await row<PlanRecord>(
      tx,
      `INSERT INTO plans (id, name, currency, monthly_price_minor, included_segments, device_limit,
         routes, overage_allowed, overage_price_minor, refund_failed, stripe_price_id, version,
         updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, currency = EXCLUDED.currency,
         monthly_price_minor = EXCLUDED.monthly_price_minor,
         included_segments = EXCLUDED.included_segments, device_limit = EXCLUDED.device_limit,
         routes = EXCLUDED.routes, overage_allowed = EXCLUDED.overage_allowed,
         overage_price_minor = EXCLUDED.overage_price_minor, refund_failed = EXCLUDED.refund_failed,
         stripe_price_id = EXCLUDED.stripe_price_id, version = plans.version + 1,
         updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING ${PLAN}`,
      [
        plan.id,
        plan.name,
        plan.currency,
        plan.monthlyPriceMinor,
        plan.includedSegments,
        plan.deviceLimit,
        plan.routes,
        plan.overageAllowed,
        plan.overagePriceMinor,
        plan.refundFailed,
        plan.stripePriceId,
        at,
        by,
      ],
    ))!;
  }

  async addPrice(
    tx: SqlRunner,
    id: string,
    price: PriceDefinition,
    at: Date,
    by: string,
    reason: string,
  ): Promise<PriceRecord | undefined> {
    return row<PriceRecord>(
      tx,
      `INSERT INTO prices (id, country, route, kind, currency, amount_minor, effective_from,
         created_at, created_by, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (country, route, kind, effective_from) DO NOTHING
       RETURNING ${PRICE}`,
      [
        id,
        price.country,
        price.route,
        price.kind,
        price.currency,
        price.amountMinor,
        price.effectiveFrom,
        at,
        by,
        reason,
      ],
    );
  }

  /**
   * The price in force at `at` for the destination (its own row, else the '*' row), the
   * latest version effective at or before `at`.
   */
  priceAt(
    tx: SqlRunner,
    country: string,
    route: RouteName,
    kind: MessageKind,
    at: Date,
  ): Promise<PriceRecord | undefined> {
    return row<PriceRecord>(
      tx,
      `SELECT ${PRICE} FROM prices
        WHERE country IN ($1, '*') AND route = $2 AND kind = $3 AND effective_from <= $4
        ORDER BY (country = '*'), effective_from DESC LIMIT 1`,
      [country, route, kind, at],
    );
  }

  /**
   * priceAt's price, and until when it stays the answer: the next version of either row that
   * takes effect after `at` (null: none). For every instant from the price's own effectiveFrom
   * up to that one, priceAt answers the same price.
   */
  priceInForce(
    tx: SqlRunner,
    country: string,
    route: RouteName,
    kind: MessageKind,
    at: Date,
  ): Promise<PriceInForce | undefined> {
    return row<PriceInForce>(tx, priceInForceQuery(1), [country, route, kind, at]);
  }

  /** The highest prices (per SMS segment, per MMS) in force at `at` on any of `routes`. */
  async maxPricesAt(
    tx: SqlRunner,
    routes: RouteName[],
    at: Date,
  ): Promise<Record<MessageKind, number>> {
    const found = await rows<{ kind: MessageKind; max: number }>(
      tx,
      `SELECT kind, max(amount_minor)::float8 AS max FROM (
         SELECT DISTINCT ON (country, route, kind) kind, amount_minor FROM prices
          WHERE route = ANY($1) AND effective_from <= $2
          ORDER BY country, route, kind, effective_from DESC) current
        GROUP BY kind`,
      [routes, at],
    );
    const of = (kind: MessageKind) => found.find((f) => f.kind === kind)?.max ?? 0;
    return { SMS: of('SMS'), MMS: of('MMS') };
  }

  findOrganizationPlan(
    tx: SqlRunner,
    orgId: string,
    forUpdate = false,
  ): Promise<OrganizationPlanRecord | undefined> {
    return row<OrganizationPlanRecord>(
      tx,
      `SELECT ${ORG_PLAN} FROM organization_plans WHERE org_id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [orgId],
    );
  }

  /**
   * The organization's plan row, locked, and its plan, in one statement (the metering of a
   * message reads both: issue 17); with `price`, priceInForce's answer for it too (undefined: no
   * price), read without a lock in the same statement. Undefined before the organization is
   * registered.
   */
  async lockOrganizationPlanWithPlan(
    tx: SqlRunner,
    orgId: string,
    price?: PriceQuestion,
  ): Promise<
    | { account: OrganizationPlanRecord; plan: PlanRecord | undefined; price?: PriceInForce }
    | undefined
  > {
    // The plan's aliases and the row's differ, so one flat row carries both.
    const found = await row<Record<string, unknown>>(
      tx,
      `SELECT ${ORG_PLAN}, p.*
         ${price ? `, (SELECT to_jsonb(x) FROM (${priceInForceQuery(2)}) x) AS "priceInForce"` : ''}
         FROM organization_plans
         LEFT JOIN LATERAL (SELECT ${PLAN} FROM plans WHERE plans.id = organization_plans.plan_id) p ON true
        WHERE org_id = $1 FOR UPDATE OF organization_plans`,
      price ? [orgId, price.country, price.route, price.kind, price.at] : [orgId],
    );
    if (!found) return undefined;
    const account: Record<string, unknown> = {};
    const { priceInForce, ...plan } = found;
    for (const field of ORG_PLAN_FIELDS) {
      account[field] = found[field];
      delete plan[field];
    }
    return {
      account: account as unknown as OrganizationPlanRecord,
      plan: plan.id ? (plan as unknown as PlanRecord) : undefined,
      ...(priceInForce ? { price: priceFromJson(priceInForce as Record<string, unknown>) } : {}),
    };
  }

  async insertOrganizationPlan(
    tx: SqlRunner,
    orgId: string,
    planId: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO organization_plans (org_id, plan_id, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO NOTHING`,
      [orgId, planId, at],
    );
  }

  /** The plan now; a pending change is dropped. */
  async setPlan(tx: SqlRunner, orgId: string, planId: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE organization_plans SET plan_id = $2, pending_plan_id = NULL, pending_plan_at = NULL,
         updated_at = $3 WHERE org_id = $1`,
      [orgId, planId, at],
    );
  }

  /**
   * The plan now, changed by billing itself at Stripe (an upgrade, a boundary downgrade): the
   * subscription events older than this change no longer apply (Stripe does not order events).
   */
  async setPlanAndSubscriptionTime(
    tx: SqlRunner,
    orgId: string,
    planId: string,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE organization_plans SET plan_id = $2, pending_plan_id = NULL, pending_plan_at = NULL,
         updated_at = $3,
         subscription_event_at = CASE WHEN stripe_subscription_id IS NULL THEN subscription_event_at
           ELSE greatest(subscription_event_at, $3) END
       WHERE org_id = $1`,
      [orgId, planId, at],
    );
  }

  /** A plan change waiting for `effectiveAt` (null, null: none). */
  async setPendingPlan(
    tx: SqlRunner,
    orgId: string,
    pending: { planId: string; effectiveAt: Date } | null,
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE organization_plans SET pending_plan_id = $2, pending_plan_at = $3, updated_at = $4
        WHERE org_id = $1`,
      [orgId, pending?.planId ?? null, pending?.effectiveAt ?? null, at],
    );
  }

  /** The next quota version of the organization (its row must be locked). */
  async nextQuotaVersion(tx: SqlRunner, orgId: string): Promise<number> {
    const found = await row<{ v: number }>(
      tx,
      `UPDATE organization_plans SET quota_version = quota_version + 1 WHERE org_id = $1
       RETURNING quota_version::float8 AS v`,
      [orgId],
    );
    return found!.v;
  }

  async setStripeCustomer(tx: SqlRunner, orgId: string, customerId: string): Promise<void> {
    await tx.query(`UPDATE organization_plans SET stripe_customer_id = $2 WHERE org_id = $1`, [
      orgId,
      customerId,
    ]);
  }

  findByStripeCustomer(tx: SqlRunner, customerId: string): Promise<{ orgId: string } | undefined> {
    return row(
      tx,
      `SELECT org_id AS "orgId" FROM organization_plans WHERE stripe_customer_id = $1`,
      [customerId],
    );
  }

  /**
   * The plan as a subscription event says (applied only when newer than the last one, or than
   * billing's own change at Stripe).
   */
  async applySubscription(
    tx: SqlRunner,
    orgId: string,
    change: { planId: string; subscriptionId: string; status: string; eventAt: Date },
    at: Date,
  ): Promise<boolean> {
    const result = await rows(
      tx,
      `UPDATE organization_plans SET plan_id = $2, stripe_subscription_id = $3,
         subscription_status = $4, subscription_event_at = $5, updated_at = $6,
         -- A plan changed at Stripe (the portal) replaces a pending change.
         pending_plan_id = CASE WHEN plan_id = $2 THEN pending_plan_id END,
         pending_plan_at = CASE WHEN plan_id = $2 THEN pending_plan_at END
       WHERE org_id = $1 AND (subscription_event_at IS NULL OR subscription_event_at <= $5)
       RETURNING 1`,
      [orgId, change.planId, change.subscriptionId, change.status, change.eventAt, at],
    );
    return result.length > 0;
  }
}

/** What priceAt is asked: a destination, a route, a kind, an instant. */
export interface PriceQuestion {
  country: string;
  route: RouteName;
  kind: MessageKind;
  at: Date;
}

/** A price and until when it stays the one in force (null: no later version yet). */
export type PriceInForce = PriceRecord & { validUntil: Date | null };

/** priceInForce's SELECT, its four parameters numbered from `first` (country, route, kind, at). */
function priceInForceQuery(first: number): string {
  const [country, route, kind, at] = [0, 1, 2, 3].map((i) => `$${first + i}`);
  const candidates = `country IN (${country}, '*') AND route = ${route} AND kind = ${kind}`;
  return `SELECT ${PRICE},
      (SELECT min(effective_from) FROM prices WHERE ${candidates} AND effective_from > ${at})
        AS "validUntil"
      FROM prices WHERE ${candidates} AND effective_from <= ${at}
     ORDER BY (country = '*'), effective_from DESC LIMIT 1`;
}

/** priceInForce's row as to_jsonb gives it (timestamps as text). */
function priceFromJson(json: Record<string, unknown>): PriceInForce {
  return {
    ...(json as unknown as PriceRecord),
    effectiveFrom: new Date(json.effectiveFrom as string),
    validUntil: json.validUntil ? new Date(json.validUntil as string) : null,
  };
}
