import { Directive, Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { MoneyModel, toMoney } from '../common/money.model';
import type { SendCostView } from './send-cost.service';

@ObjectType('SendCostEstimate', {
  description:
    'What a planned send would cost the organization now: the allowance left first, then overage or the wallet, at the price book in force (later price versions and others’ use of the allowance meanwhile are not known).',
})
export class SendCostEstimateModel {
  @Field(() => MoneyModel, { description: 'Everything charged (overage and wallet).' })
  total!: MoneyModel;

  @Field(() => MoneyModel, { description: 'Of which taken from the wallet.' })
  fromWallet!: MoneyModel;

  @Field(() => Float, { description: 'SMS segments the period’s remaining allowance covers.' })
  includedSegments!: number;

  @Field(() => Float, { description: 'SMS segments charged (overage or wallet).' })
  chargedSegments!: number;

  @Field(() => Float)
  mms!: number;

  @Field(() => MoneyModel, { description: 'Price per SMS segment used (the device route).' })
  smsUnitPrice!: MoneyModel;

  @Field(() => String, { description: "Price book country used ('*': the catch-all)." })
  country!: string;

  @Field(() => ID)
  planId!: string;

  @Field(() => MoneyModel, { description: 'The wallet’s available balance now.' })
  walletAvailable!: MoneyModel;

  @Field(() => Boolean, {
    description: 'Whether the wallet covers fromWallet now (true when nothing comes from it).',
  })
  walletSufficient!: boolean;
}

/**
 * Billing's part of messaging's `CampaignPreview` (federation: the entity keyed by campaignId;
 * the gateway hands billing the preview's segment and MMS totals and destination country, and
 * billing adds the cost).
 */
@ObjectType('CampaignPreview')
@Directive('@key(fields: "campaignId")')
export class CampaignPreviewCostModel {
  @Field(() => ID)
  campaignId!: string;

  @Field(() => Float)
  @Directive('@external')
  estimatedSegments!: number;

  @Field(() => Float)
  @Directive('@external')
  estimatedMms!: number;

  @Field(() => String, { nullable: true })
  @Directive('@external')
  destinationCountry!: string | null;

  @Field(() => SendCostEstimateModel, {
    nullable: true,
    description:
      'The campaign’s estimated cost (billing): estimatedSegments and estimatedMms priced for the organization now.',
  })
  @Directive('@requires(fields: "estimatedSegments estimatedMms destinationCountry")')
  estimatedCost!: SendCostEstimateModel | null;
}

export function toSendCostEstimateModel(view: SendCostView): SendCostEstimateModel {
  return {
    total: toMoney(view.currency, view.amountMinor),
    fromWallet: toMoney(view.currency, view.walletAmountMinor),
    includedSegments: view.includedSegments,
    chargedSegments: view.chargedSegments,
    mms: view.mms,
    smsUnitPrice: toMoney(view.currency, view.smsUnitPriceMinor),
    country: view.country,
    planId: view.planId,
    walletAvailable: toMoney(view.currency, view.walletAvailableMinor),
    walletSufficient: view.walletAmountMinor <= view.walletAvailableMinor,
  };
}
