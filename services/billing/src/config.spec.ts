import { loadBillingConfig } from './config';

const base = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://billing_app:x@127.0.0.1:5432/billing',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('billing config', () => {
  it('has the port of tools/services.txt, its own group and Stripe defaults', () => {
    expect(loadBillingConfig(base)).toMatchObject({
      PORT: 4105,
      KAFKA_GROUP_ID: 'billing',
      BILLING_CURRENCY: 'USD',
      STRIPE_API_BASE: 'https://api.stripe.com',
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: 300,
      DEFAULT_PLAN_ID: 'free',
      KAFKA_PARTITIONS_CONCURRENTLY: 12,
      KAFKA_BATCH_MAX: 50,
    });
  });

  it('stops at boot naming a missing or bad variable', () => {
    const { DATABASE_URL: _missing, ...noDatabase } = base;
    expect(() => loadBillingConfig(noDatabase)).toThrow(/DATABASE_URL/);
    expect(() => loadBillingConfig({ ...base, BILLING_CURRENCY: 'usd' })).toThrow(
      /BILLING_CURRENCY/,
    );
    expect(() => loadBillingConfig({ ...base, STRIPE_API_BASE: 'not a url' })).toThrow(
      /STRIPE_API_BASE/,
    );
    expect(() => loadBillingConfig({ ...base, DEFAULT_PLAN_ID: 'Free Plan' })).toThrow(
      /DEFAULT_PLAN_ID/,
    );
  });

  it('requires the Stripe secrets in production', () => {
    expect(() =>
      loadBillingConfig({ ...base, NODE_ENV: 'production', AUTH_JWKS_URL: 'https://a/jwks' }),
    ).toThrow(/STRIPE_SECRET_KEY is required in production/);
  });
});
