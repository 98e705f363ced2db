import { domainException } from '@switchboard/errors';

/** The errors of the billing API, consumers and webhooks (GraphQL `extensions.code`). */
export enum BillingErrorCode {
  /** A price, plan or amount out of range: negative money, an unknown route, a bad country. */
  INVALID_PRICE = 'INVALID_PRICE',
  /** A plan definition out of range (included segments, device limit, prices). */
  INVALID_PLAN = 'INVALID_PLAN',
  /** No plan with this id. */
  PLAN_NOT_FOUND = 'PLAN_NOT_FOUND',
  /** No price in force for this destination and route. */
  PRICE_NOT_FOUND = 'PRICE_NOT_FOUND',
  /** A period that is not `YYYY-MM`. */
  INVALID_PERIOD = 'INVALID_PERIOD',
  /** A pagination cursor this API did not issue, or `first` out of range. */
  INVALID_PAGINATION = 'INVALID_PAGINATION',
  /** A top-up amount out of range or in another currency than the wallet's. */
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  /** A Stripe webhook whose `Stripe-Signature` is missing, wrong or outside the tolerance. */
  INVALID_SIGNATURE = 'INVALID_SIGNATURE',
  /** An upgrade to a paid plan without an active subscription: subscribe through Checkout. */
  SUBSCRIPTION_REQUIRED = 'SUBSCRIPTION_REQUIRED',
  /** No saved card with this id for the organization. */
  PAYMENT_METHOD_NOT_FOUND = 'PAYMENT_METHOD_NOT_FOUND',
  /** Stripe refused a request (its error object's message is kept). */
  STRIPE_REQUEST_FAILED = 'STRIPE_REQUEST_FAILED',
  /** Stripe could not be reached or answered 5xx/429: a retry may help. */
  STRIPE_UNAVAILABLE = 'STRIPE_UNAVAILABLE',
}

export class BillingException extends domainException<BillingErrorCode>({
  INVALID_PRICE: 'BAD_INPUT',
  INVALID_PLAN: 'BAD_INPUT',
  PLAN_NOT_FOUND: 'NOT_FOUND',
  PRICE_NOT_FOUND: 'NOT_FOUND',
  INVALID_PERIOD: 'BAD_INPUT',
  INVALID_PAGINATION: 'BAD_INPUT',
  INVALID_AMOUNT: 'BAD_INPUT',
  INVALID_SIGNATURE: 'BAD_INPUT',
  SUBSCRIPTION_REQUIRED: 'PRECONDITION_FAILED',
  PAYMENT_METHOD_NOT_FOUND: 'NOT_FOUND',
  STRIPE_REQUEST_FAILED: 'PRECONDITION_FAILED',
  STRIPE_UNAVAILABLE: 'UNAVAILABLE',
}) {}
