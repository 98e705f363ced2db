import { authConfigShape, resolveAuthConfig } from '@switchboard/auth';
import { ConfigError, env, isDevelopmentMode, loadConfig, secret, z } from '@switchboard/config';
import { kafkaSecurityConfigShape, kafkaSecurityProblems } from '@switchboard/events';
import { privacyConfigShape } from '@switchboard/privacy';
import { retentionConfigShape } from '@switchboard/retention';
import { databaseConfigShape, httpConfigShape } from '@switchboard/service-kit';

/** The billing service's environment, validated at boot. README.md documents each variable. */
export const billingConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4105),
  LOG_LEVEL: env.logLevel(),
  /** DATABASE_URL, DATABASE_OWNER_URL, DATABASE_POOL_SIZE, DATABASE_PREPARED_STATEMENTS. */
  ...databaseConfigShape,
  /** TRUST_PROXY, HTTP_KEEP_ALIVE_TIMEOUT_MS, METRICS_PORT, SUBGRAPH_SHARED_SECRET, GraphQL limits. */
  ...httpConfigShape,
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /** Consumer group of the organization and metering consumers. */
  KAFKA_GROUP_ID: z.string().min(1).default('billing'),
  /**
   * Partitions consumed at the same time (messaging.message.v1 has 12). Safe: every change of
   * one organization takes its plan row lock first, so handlers of other partitions queue there
   * (one organization per transaction: no deadlock). Metering waits on PostgreSQL round trips,
   * so all 12 at once meter ~1.8× faster than 4 (bench/metering-throughput.ts).
   */
  KAFKA_PARTITIONS_CONCURRENTLY: env.int(12).pipe(z.number().int().min(1).max(12)),
  /**
   * Message events that arrive together are metered up to this many in one transaction
   * (libs/events batchMax: one processed-event insert and one commit for all, in organization
   * order, so concurrent partitions lock plan rows in one order); 1: one event a transaction.
   * A failure handles the batch again one event at a time, so each is still metered once.
   */
  KAFKA_BATCH_MAX: env.int(50).pipe(z.number().int().min(1).max(500)),
  /** TLS and SASL for a real cluster (KAFKA_SSL*, KAFKA_SASL_*): libs/events' settings. */
  ...kafkaSecurityConfigShape,
  /** RETENTION_ENABLED, RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE (libs/retention). */
  ...retentionConfigShape,
  /** PRIVACY_WORKER_ENABLED, PRIVACY_WORKER_INTERVAL_MS, PRIVACY_PAGE_SIZE (libs/privacy). */
  ...privacyConfigShape,
  /** Access tokens of the accounts service (GraphQL): libs/auth's settings and defaults. */
  ...authConfigShape,
  /** ISO 4217 currency of wallets and the default plan (prices in other currencies are refused). */
  BILLING_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  /**
   * The plan every new organization starts on (and returns to when its subscription ends):
   * `free` (100 segments a month, then the wallet) or `postpaid` (no allowance, every segment
   * charged as overage: nothing is refused, e.g. for load tests).
   */
  DEFAULT_PLAN_ID: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,39}$/)
    .default('free'),
  /**
   * Message events that occurred before this time are not metered (usage billed elsewhere
   * before a cutover; the e2e platform, whose shared broker holds earlier runs' messages).
   * Unset: everything the topic holds is metered.
   */
  METERING_START_AT: z.coerce.date().optional(),
  /** A new wallet's low-balance alert threshold, in minor units of BILLING_CURRENCY. */
  LOW_BALANCE_THRESHOLD_MINOR: env.int(500).pipe(z.number().int().min(0)),
  /** Sensitive. Stripe's secret API key (sk_…). Required outside development mode. */
  STRIPE_SECRET_KEY: secret(z.string().min(1).optional()),
  /** Sensitive. The signing secret of the Stripe webhook endpoint (whsec_…). Required outside development mode. */
  STRIPE_WEBHOOK_SECRET: secret(z.string().min(1).optional()),
  /** Where the Stripe API is (a local test server in tests): protocol, host and port. */
  STRIPE_API_BASE: z.string().url().default('https://api.stripe.com'),
  /** Tolerance of a webhook's `Stripe-Signature` timestamp, seconds. */
  STRIPE_WEBHOOK_TOLERANCE_SECONDS: env.int(300).pipe(z.number().int().min(1).max(3600)),
  /** The Stripe meter (its event name) that subscription overage is reported to. */
  STRIPE_METER_EVENT_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,99}$/)
    .default('sms_segments'),
  /** How often overage is reported to Stripe (the leader replica only). */
  STRIPE_METER_INTERVAL_MS: env.int(60_000).pipe(z.number().int().min(100).max(3_600_000)),
  /** How often auto-recharge attempts are sent to Stripe (the leader only). */
  AUTO_RECHARGE_INTERVAL_MS: env.int(5_000).pipe(z.number().int().min(100).max(3_600_000)),
  /** How often pending plan changes due at a period boundary are applied (the leader only). */
  PLAN_CHANGE_INTERVAL_MS: env.int(60_000).pipe(z.number().int().min(100).max(3_600_000)),
  /** Where Checkout and the billing portal send the customer back (the web app). */
  PUBLIC_APP_URL: z.string().url().default('http://localhost:3000'),
};

/** Only for development and tests: fixed, public stand-ins. */
const DEVELOPMENT_STRIPE_KEY = 'sk_test_switchboard_development';
const DEVELOPMENT_WEBHOOK_SECRET = 'whsec_switchboard_development';

export type BillingConfig = ReturnType<typeof loadBillingConfig>;

/** Loads and checks the configuration (Stripe secrets are required in production). */
export function loadBillingConfig(source: Record<string, string | undefined> = process.env) {
  const { config, problems } = resolveAuthConfig(loadConfig(billingConfigShape, source));
  problems.push(...kafkaSecurityProblems(config));
  if (!isDevelopmentMode(config)) {
    if (!config.STRIPE_SECRET_KEY) problems.push('STRIPE_SECRET_KEY is required in production');
    if (!config.STRIPE_WEBHOOK_SECRET)
      problems.push('STRIPE_WEBHOOK_SECRET is required in production');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...config,
    STRIPE_SECRET_KEY: config.STRIPE_SECRET_KEY ?? DEVELOPMENT_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: config.STRIPE_WEBHOOK_SECRET ?? DEVELOPMENT_WEBHOOK_SECRET,
  };
}

export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
