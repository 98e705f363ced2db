import { ANY_COUNTRY, ROUTES, type MessageKind, type RouteName } from './pricing';

/** A plan as platform admins define it. */
export interface PlanDefinition {
  id: string;
  name: string;
  currency: string;
  monthlyPriceMinor: number;
  includedSegments: number;
  deviceLimit: number;
  routes: RouteName[];
  overageAllowed: boolean;
  overagePriceMinor: number;
  refundFailed: boolean;
  stripePriceId: string | null;
}

/** A new price book version for one destination, route and kind. */
export interface PriceDefinition {
  country: string;
  route: RouteName;
  kind: MessageKind;
  currency: string;
  amountMinor: number;
  effectiveFrom: Date;
}

const MONEY_MAX = 1_000_000_000_00; // a billion in minor units: far beyond any price
const isMoney = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= MONEY_MAX;
const CURRENCY = /^[A-Z]{3}$/;

/** What is wrong with a plan definition (empty: valid). */
export function planProblems(plan: PlanDefinition): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(plan.id)) problems.push('id: 2–40 of a-z, 0-9, -');
  if (plan.name.trim().length === 0 || plan.name.length > 100)
    problems.push('name: 1–100 characters');
  if (!CURRENCY.test(plan.currency)) problems.push('currency: ISO 4217, upper case');
  if (!isMoney(plan.monthlyPriceMinor)) problems.push('monthlyPriceMinor: a non-negative integer');
  if (!Number.isSafeInteger(plan.includedSegments) || plan.includedSegments < 0)
    problems.push('includedSegments: a non-negative integer');
  if (!Number.isInteger(plan.deviceLimit) || plan.deviceLimit < 0 || plan.deviceLimit > 10_000)
    problems.push('deviceLimit: 0–10000');
  if (plan.routes.length === 0 || plan.routes.some((r) => !ROUTES.includes(r)))
    problems.push(`routes: one or more of ${ROUTES.join(', ')}`);
  if (!isMoney(plan.overagePriceMinor)) problems.push('overagePriceMinor: a non-negative integer');
  if (plan.stripePriceId !== null && !/^price_[A-Za-z0-9]+$/.test(plan.stripePriceId))
    problems.push('stripePriceId: a Stripe price id (price_…)');
  return problems;
}

/** What is wrong with a price (empty: valid). */
export function priceProblems(price: PriceDefinition, now: Date): string[] {
  const problems: string[] = [];
  if (price.country !== ANY_COUNTRY && !/^[A-Z]{2}$/.test(price.country))
    problems.push("country: ISO 3166 alpha-2 or '*'");
  if (!ROUTES.includes(price.route)) problems.push(`route: one of ${ROUTES.join(', ')}`);
  if (price.kind !== 'SMS' && price.kind !== 'MMS') problems.push('kind: SMS or MMS');
  if (!CURRENCY.test(price.currency)) problems.push('currency: ISO 4217, upper case');
  if (!isMoney(price.amountMinor)) problems.push('amountMinor: a non-negative integer');
  // Versions are effective-dated forward: a past version would re-price accepted messages.
  if (price.effectiveFrom.getTime() < now.getTime() - 60_000)
    problems.push('effectiveFrom: not in the past');
  return problems;
}
