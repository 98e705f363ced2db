import { Field, Int, ObjectType } from '@nestjs/graphql';

/**
 * An amount of money: integer minor units (cents for USD) and an ISO 4217 currency, never a
 * float. `amountMinor` is a 32-bit GraphQL Int only up to ±21 million units of a 2-decimal
 * currency, so it travels as a decimal string.
 */
@ObjectType('BillingMoney', { description: 'An amount in integer minor units of a currency.' })
export class MoneyModel {
  @Field(() => String, { description: 'ISO 4217 code, e.g. USD.' })
  currencyCode!: string;

  @Field(() => String, {
    description: 'Integer minor units as a decimal string (1999 = 19.99 USD).',
  })
  amountMinor!: string;

  @Field(() => Int, { description: 'Decimal places of the minor unit (2 for USD).' })
  exponent!: number;
}

const ZERO_DECIMAL = new Set([
  'JPY',
  'KRW',
  'VND',
  'CLP',
  'ISK',
  'HUF',
  'TWD',
  'UGX',
  'XOF',
  'XAF',
]);

export function toMoney(currencyCode: string, amountMinor: number): MoneyModel {
  return {
    currencyCode,
    amountMinor: String(amountMinor),
    exponent: ZERO_DECIMAL.has(currencyCode) ? 0 : 2,
  };
}
