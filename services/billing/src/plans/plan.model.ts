import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MoneyModel, toMoney } from '../common/money.model';
import type { PlanDefinition } from '../domain/catalog';
import { ROUTES, type MessageKind, type RouteName } from '../domain/pricing';
import type { OrganizationPlanRecord, PlanRecord, PriceRecord } from './plan.record';

export enum BillingRoute {
  DEVICE = 'DEVICE',
  CARRIER = 'CARRIER',
  GHL = 'GHL',
}
registerEnumType(BillingRoute, {
  name: 'BillingRoute',
  description: 'Routes the price book prices.',
});
export enum BillingMessageKind {
  SMS = 'SMS',
  MMS = 'MMS',
}
registerEnumType(BillingMessageKind, { name: 'BillingMessageKind' });

@ObjectType('Plan', { description: 'A plan: allowance, device limit, routes, overage, price.' })
export class PlanModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => MoneyModel, { description: 'Price per month.' }) monthlyPrice!: MoneyModel;
  @Field(() => String, { description: 'Segments included per period (a decimal integer).' })
  includedSegments!: string;
  @Field(() => Int) deviceLimit!: number;
  @Field(() => [BillingRoute]) routes!: BillingRoute[];
  @Field() overageAllowed!: boolean;
  @Field(() => MoneyModel, { description: 'Per segment past the allowance (0: the price book).' })
  overagePrice!: MoneyModel;
  @Field({ description: 'Messages that fail before leaving the platform are refunded.' })
  refundFailed!: boolean;
  @Field(() => Int) version!: number;
}

@ObjectType('OrganizationPlan', { description: "The organization's plan and subscription." })
export class OrganizationPlanModel {
  @Field(() => PlanModel) plan!: PlanModel;
  @Field(() => ID, { nullable: true, description: 'Plan taking effect at the next period.' })
  pendingPlanId!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the pending plan takes effect.' })
  pendingPlanAt!: Date | null;
  @Field(() => String, { nullable: true }) subscriptionStatus!: string | null;
}

@ObjectType('Price', { description: 'One price book version: per segment.' })
export class PriceModel {
  @Field(() => ID) id!: string;
  @Field({ description: "ISO 3166 alpha-2, or '*' for any other country." }) country!: string;
  @Field(() => BillingRoute) route!: BillingRoute;
  @Field(() => BillingMessageKind) kind!: BillingMessageKind;
  @Field(() => MoneyModel, { description: 'Per segment.' }) price!: MoneyModel;
  @Field(() => Date) effectiveFrom!: Date;
}

@InputType({ description: 'A plan definition (platform admins).' })
export class PlanInput {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() currency!: string;
  @Field(() => String, { description: 'Integer minor units.' }) monthlyPriceMinor!: string;
  @Field(() => String) includedSegments!: string;
  @Field(() => Int) deviceLimit!: number;
  @Field(() => [BillingRoute]) routes!: BillingRoute[];
  @Field() overageAllowed!: boolean;
  @Field(() => String, { description: 'Integer minor units per segment.' })
  overagePriceMinor!: string;
  @Field() refundFailed!: boolean;
  @Field(() => String, { nullable: true }) stripePriceId?: string | null;
}

@InputType({ description: 'A new price book version (platform admins).' })
export class PriceInput {
  @Field() country!: string;
  @Field(() => BillingRoute) route!: BillingRoute;
  @Field(() => BillingMessageKind) kind!: BillingMessageKind;
  @Field() currency!: string;
  @Field(() => String, { description: 'Integer minor units per segment.' }) amountMinor!: string;
  @Field(() => Date, { nullable: true, description: 'Default: now.' }) effectiveFrom?: Date | null;
}

/** An integer given as a decimal string, or NaN (refused by the domain checks). */
const integer = (text: string) => (/^-?\d{1,15}$/.test(text) ? Number(text) : Number.NaN);

export function toPlanDefinition(input: PlanInput): PlanDefinition {
  return {
    id: input.id,
    name: input.name,
    currency: input.currency,
    monthlyPriceMinor: integer(input.monthlyPriceMinor),
    includedSegments: integer(input.includedSegments),
    deviceLimit: input.deviceLimit,
    routes: input.routes.map((r) => r as string as RouteName).filter((r) => ROUTES.includes(r)),
    overageAllowed: input.overageAllowed,
    overagePriceMinor: integer(input.overagePriceMinor),
    refundFailed: input.refundFailed,
    stripePriceId: input.stripePriceId ?? null,
  };
}

export function toPriceDefinition(input: PriceInput, now: Date) {
  return {
    country: input.country,
    route: input.route as RouteName,
    kind: input.kind as MessageKind,
    currency: input.currency,
    amountMinor: integer(input.amountMinor),
    effectiveFrom: input.effectiveFrom ?? now,
  };
}

export function toPlanModel(p: PlanRecord): PlanModel {
  return {
    id: p.id,
    name: p.name,
    monthlyPrice: toMoney(p.currency, p.monthlyPriceMinor),
    includedSegments: String(p.includedSegments),
    deviceLimit: p.deviceLimit,
    routes: p.routes as BillingRoute[],
    overageAllowed: p.overageAllowed,
    overagePrice: toMoney(p.currency, p.overagePriceMinor),
    refundFailed: p.refundFailed,
    version: p.version,
  };
}

export function toOrganizationPlanModel(
  account: OrganizationPlanRecord,
  plan: PlanRecord,
): OrganizationPlanModel {
  return {
    plan: toPlanModel(plan),
    pendingPlanId: account.pendingPlanId,
    pendingPlanAt: account.pendingPlanAt,
    subscriptionStatus: account.subscriptionStatus,
  };
}

export function toPriceModel(p: PriceRecord): PriceModel {
  return {
    id: p.id,
    country: p.country,
    route: p.route as BillingRoute,
    kind: p.kind as BillingMessageKind,
    price: toMoney(p.currency, p.amountMinor),
    effectiveFrom: p.effectiveFrom,
  };
}
