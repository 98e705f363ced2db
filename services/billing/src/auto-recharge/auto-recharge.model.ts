import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { MoneyModel, toMoney } from '../common/money.model';
import type { PaymentMethodRecord } from '../stripe/stripe.repository';
import type { AutoRechargeView } from './auto-recharge.service';

@ObjectType('PaymentMethod', {
  description: 'A card saved at Stripe: only its Stripe id, brand, last 4 digits and expiry.',
})
export class PaymentMethodModel {
  @Field(() => ID, { description: "Stripe's payment method id." }) id!: string;
  @Field() brand!: string;
  @Field() last4!: string;
  @Field(() => Int) expMonth!: number;
  @Field(() => Int) expYear!: number;
}

@ObjectType('AutoRechargeAttempt', { description: 'One automatic charge of the saved card.' })
export class AutoRechargeAttemptModel {
  @Field(() => ID) id!: string;
  @Field({ description: 'PENDING, SUCCEEDED or FAILED.' }) status!: string;
  @Field(() => MoneyModel) amount!: MoneyModel;
  @Field(() => String, { nullable: true, description: "Stripe's code when it failed." })
  failureCode!: string | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType('AutoRecharge', { description: 'Automatic top-ups of the prepaid wallet.' })
export class AutoRechargeModel {
  @Field({ description: 'ENABLED, or PAUSED after a failed charge (set it again to resume).' })
  status!: string;
  @Field(() => String, { nullable: true }) pausedReason!: string | null;
  @Field(() => MoneyModel, { description: 'Charge when the available balance falls below.' })
  below!: MoneyModel;
  @Field(() => MoneyModel, { description: 'How much each charge adds.' }) amount!: MoneyModel;
  @Field(() => PaymentMethodModel, { nullable: true }) paymentMethod!: PaymentMethodModel | null;
  @Field(() => AutoRechargeAttemptModel, { nullable: true })
  lastAttempt!: AutoRechargeAttemptModel | null;
}

@InputType()
export class AutoRechargeInput {
  @Field(() => String, { description: 'Integer minor units (100–1000000).' }) belowMinor!: string;
  @Field(() => String, { description: 'Integer minor units (100–1000000).' }) amountMinor!: string;
  @Field(() => ID, { description: 'A saved card (paymentMethods).' }) paymentMethodId!: string;
}

export const toPaymentMethodModel = (p: PaymentMethodRecord): PaymentMethodModel => ({ ...p });

export function toAutoRechargeModel(
  view: AutoRechargeView,
  currency: string,
): AutoRechargeModel | null {
  const s = view.settings;
  if (!s) return null;
  const a = view.lastAttempt;
  return {
    status: s.status,
    pausedReason: s.pausedReason,
    below: toMoney(currency, s.belowMinor),
    amount: toMoney(currency, s.amountMinor),
    paymentMethod: view.paymentMethod ? toPaymentMethodModel(view.paymentMethod) : null,
    lastAttempt: a
      ? {
          id: a.id,
          status: a.status,
          amount: toMoney(a.currency, a.amountMinor),
          failureCode: a.failureCode,
          createdAt: a.createdAt,
        }
      : null,
  };
}

/** An integer given as a decimal string, or NaN (refused by the domain checks). */
export const integerOf = (text: string) => (/^\d{1,15}$/.test(text) ? Number(text) : Number.NaN);
