import { authConfigShape, resolveAuthConfig } from '@switchboard/auth';
import { ConfigError, env, isDevelopmentMode, loadConfig, secret, z } from '@switchboard/config';
import { kafkaSecurityConfigShape, kafkaSecurityProblems } from '@switchboard/events';
import { privacyConfigShape } from '@switchboard/privacy';
import { retentionConfigShape } from '@switchboard/retention';
import { databaseConfigShape, httpConfigShape } from '@switchboard/service-kit';

/** The compliance service's environment, validated at boot. README.md documents each variable. */
export const complianceConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4104),
  LOG_LEVEL: env.logLevel(),
  /** DATABASE_URL, DATABASE_OWNER_URL, DATABASE_POOL_SIZE, DATABASE_PREPARED_STATEMENTS. */
  ...databaseConfigShape,
  /** TRUST_PROXY, HTTP_KEEP_ALIVE_TIMEOUT_MS, METRICS_PORT, SUBGRAPH_SHARED_SECRET, GraphQL limits. */
  ...httpConfigShape,
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /** Consumer group of the organization, inbound-keyword and audit consumers. */
  KAFKA_GROUP_ID: z.string().min(1).default('compliance'),
  /** TLS and SASL for a real cluster (KAFKA_SSL*, KAFKA_SASL_*): libs/events' settings. */
  ...kafkaSecurityConfigShape,
  /** Access tokens of the accounts service (GraphQL): libs/auth's settings and defaults. */
  ...authConfigShape,
  /**
   * Validity of a STOP/HELP reply, from the keyword's arrival: a reply not sent by then is not
   * sent late (EXPIRED in messaging), and a keyword older than this (a replay) gets none.
   */
  KEYWORD_REPLY_VALIDITY_SECONDS: env.int(3600).pipe(z.number().int().min(60).max(86_400)),
  /** RETENTION_ENABLED, RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE (libs/retention). */
  ...retentionConfigShape,
  /** PRIVACY_WORKER_ENABLED, PRIVACY_WORKER_INTERVAL_MS, PRIVACY_PAGE_SIZE (libs/privacy). */
  ...privacyConfigShape,
  /** The services that hold personal data: each must answer a privacy request. */
  PRIVACY_PARTICIPANTS: z
    .string()
    .default('accounts,devices,messaging,compliance,billing,ghl-sync')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z][a-z-]*$/)).min(1)),
  /** A request not complete after this long is published again (a lost or failed answer). */
  PRIVACY_REPUBLISH_AFTER_SECONDS: env.int(900).pipe(z.number().int().min(1).max(86_400)),
  /**
   * Sensitive. The HMAC key of export download links (at least 32 characters). Required
   * outside development mode (NODE_ENV=development or test use a fixed, public stand-in).
   */
  DOWNLOAD_SIGNING_SECRET: secret(z.string().min(32).optional()),
  /** How long a download link works. */
  DOWNLOAD_LINK_TTL_SECONDS: env.int(86_400).pipe(
    z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400),
  ),
  /** The public entry point download links name (the gateway, or the ingress in front of it). */
  PUBLIC_DOWNLOAD_BASE_URL: z.string().url().default('http://localhost:4000'),
};

/** Only for development and tests: a fixed key anyone can read is no key. */
const DEVELOPMENT_DOWNLOAD_SECRET = 'switchboard-development-download-signing-secret';

export type ComplianceConfig = ReturnType<typeof loadComplianceConfig>;

/**
 * Loads and checks the configuration. The token settings are libs/auth's (outside production
 * AUTH_JWKS_URL defaults to the local accounts service; production must set it).
 */
export function loadComplianceConfig(source: Record<string, string | undefined> = process.env) {
  const { config, problems } = resolveAuthConfig(loadConfig(complianceConfigShape, source));
  problems.push(...kafkaSecurityProblems(config));
  if (!config.DOWNLOAD_SIGNING_SECRET && !isDevelopmentMode(config)) {
    problems.push('DOWNLOAD_SIGNING_SECRET is required in production');
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    ...config,
    DOWNLOAD_SIGNING_SECRET: config.DOWNLOAD_SIGNING_SECRET ?? DEVELOPMENT_DOWNLOAD_SECRET,
  };
}

export const COMPLIANCE_CONFIG = Symbol('COMPLIANCE_CONFIG');
