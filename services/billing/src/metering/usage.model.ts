import { Field, Int, ObjectType } from '@nestjs/graphql';
import { MoneyModel, toMoney } from '../common/money.model';
import { BillingMessageKind, BillingRoute } from '../plans/plan.model';
import type { UsageLine } from './usage.record';

@ObjectType('UsageLine', {
  description: 'Usage of a period for one route, destination country and kind (SMS or MMS).',
})
export class UsageLineModel {
  @Field(() => BillingRoute) route!: BillingRoute;
  @Field({ description: "ISO 3166 alpha-2, or '*' when unknown." }) country!: string;
  @Field(() => BillingMessageKind, {
    description: 'SMS: counted in segments; MMS: one unit per message, at the MMS price.',
  })
  kind!: BillingMessageKind;
  @Field(() => Int) messages!: number;
  @Field(() => Int) segments!: number;
  @Field(() => Int) includedSegments!: number;
  @Field(() => Int) overageSegments!: number;
  @Field(() => MoneyModel) overageAmount!: MoneyModel;
  @Field(() => MoneyModel) walletAmount!: MoneyModel;
  @Field(() => Int, { description: 'Messages refunded (failed before leaving).' })
  refundedMessages!: number;
}

@ObjectType('Usage', { description: "An organization's usage in one billing period (UTC month)." })
export class UsageModel {
  @Field({ description: 'YYYY-MM' }) period!: string;
  @Field(() => [UsageLineModel]) lines!: UsageLineModel[];
}

export function toUsageModel(period: string, currency: string, lines: UsageLine[]): UsageModel {
  return {
    period,
    lines: lines.map((l) => ({
      ...l,
      route: l.route as BillingRoute,
      kind: l.kind as BillingMessageKind,
      overageAmount: toMoney(currency, l.overageAmountMinor),
      walletAmount: toMoney(currency, l.walletAmountMinor),
    })),
  };
}
