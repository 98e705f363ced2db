import type { PlanDefinition } from '../domain/catalog';
import type { MessageKind, RouteName } from '../domain/pricing';

/** A row of `plans`. */
export interface PlanRecord extends PlanDefinition {
  version: number;
  updatedAt: Date;
}

/** A row of `prices`: one effective-dated version. */
export interface PriceRecord {
  id: string;
  country: string;
  route: RouteName;
  kind: MessageKind;
  currency: string;
  amountMinor: number;
  effectiveFrom: Date;
  reason: string;
}

/** A row of `organization_plans`. */
export interface OrganizationPlanRecord {
  orgId: string;
  planId: string;
  pendingPlanId: string | null;
  /** When the pending plan takes effect (the next period's start). */
  pendingPlanAt: Date | null;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  subscriptionStatus: string | null;
  subscriptionEventAt: Date | null;
  quotaVersion: number;
}
