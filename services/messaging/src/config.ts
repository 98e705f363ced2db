import { authConfigShape, resolveAuthConfig } from '@switchboard/auth';
import { ConfigError, env, loadConfig, secretsOrStandIns, z } from '@switchboard/config';
import { kafkaSecurityConfigShape, kafkaSecurityProblems } from '@switchboard/events';
import { privacyConfigShape } from '@switchboard/privacy';
import { retentionConfigShape } from '@switchboard/retention';
import {
  databaseConfigShape,
  httpConfigShape,
  secretKeyringConfigShape,
  secretKeyringFromConfig,
} from '@switchboard/service-kit';
import { isKnownCountry } from './domain/phone-number';
import { carriersConfigProblems, carriersConfigShape } from './carriers/carriers.config';
import { campaignsConfigShape } from './campaigns/campaigns.config';
import {
  contactImportsConfigShape,
  DEVELOPMENT_LINK_SECRET,
} from './contacts/contact-imports.config';
import { mediaConfigShape } from './media/media.config';
import { webhooksConfigShape } from './webhooks/webhooks.config';

/** The messaging service's environment, validated at boot. */
export const messagingConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4103),
  LOG_LEVEL: env.logLevel(),
  /**
   * DATABASE_URL, DATABASE_OWNER_URL, DATABASE_POOL_SIZE (sends hold a connection for a few ms),
   * DATABASE_PREPARED_STATEMENTS.
   */
  ...databaseConfigShape,
  /** TRUST_PROXY, HTTP_KEEP_ALIVE_TIMEOUT_MS. */
  ...httpConfigShape,
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /**
   * Partitions a consumer handles at the same time (per-key order is kept: a key is one
   * partition). 4 by default (issue 17): at 1, a loaded 2-core machine moved ~1 dispatch
   * command or device state a second; the campaign fault and pacing runs
   * (e2e/campaign-fault-run.ts) use 12. Safe: records are keyed by message (device states,
   * lifecycle events), organization (inbound SMS, organizations, policies) or organization and
   * number (suppressions), so per-key order holds; rows two keys share (a campaign's counters, a
   * conversation) are updated under row locks, as concurrent API requests already do.
   */
  KAFKA_PARTITIONS_CONCURRENTLY: env.int(4).pipe(z.number().int().min(1).max(12)),
  /** Consumer group of the device-report, inbound and projection consumers. */
  KAFKA_GROUP_ID: z.string().min(1).default('messaging'),
  /** TLS and SASL for a real cluster (KAFKA_SSL*, KAFKA_SASL_*): libs/events' settings. */
  ...kafkaSecurityConfigShape,
  ...authConfigShape,
  /** Country for numbers written in national format when the organization has none (ISO 3166-1). */
  DEFAULT_COUNTRY: z
    .string()
    .default('US')
    .refine(isKnownCountry, 'must be an ISO 3166-1 alpha-2 country code, e.g. US')
    .transform((v) => v.toUpperCase()),
  /** Longest body accepted, in SMS segments → BODY_TOO_LONG. */
  MESSAGE_MAX_SEGMENTS: env.int(10).pipe(z.number().int().min(1).max(100)),
  /** Dispatch attempts per message (the first included) before it fails. */
  MESSAGE_MAX_DISPATCH_ATTEMPTS: env.int(3).pipe(z.number().int().min(1).max(20)),
  /** Validity of a message sent without validUntil, from its send time; 0 means none. */
  MESSAGE_DEFAULT_VALIDITY_SECONDS: env.int(86_400).pipe(z.number().int().min(0)),
  /** Furthest a message may be scheduled ahead. */
  MESSAGE_MAX_SCHEDULE_DAYS: env.int(365).pipe(z.number().int().min(1)),
  /**
   * Sends per second per organization (average; 0: no limit), with bursts of up to
   * MESSAGE_SEND_BURST: a token bucket per organization, RATE tokens a second, at most BURST
   * saved up; a send without a token → RATE_LIMITED.
   */
  MESSAGE_SEND_RATE_PER_SECOND: env.int(100).pipe(z.number().int().min(0).max(100_000)),
  MESSAGE_SEND_BURST: env.int(1000).pipe(z.number().int().min(1).max(1_000_000)),
  /**
   * sendMessages and campaign fan-out: a chunk's inputs go the set-based way (a constant number
   * of statements per chunk, issue 17 B1b); false: every input the per-input way (the
   * comparison baseline of bench/campaign-fanout.ts, and a kill switch).
   */
  MESSAGE_SEND_BATCH_SET_BASED: env.bool(true),
  /** Lifetime of an idempotency key. */
  IDEMPOTENCY_KEY_TTL_HOURS: env.int(24).pipe(
    z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
  ),
  /**
   * Seconds a message may wait on a device pool route for a phone to take it before it fails
   * over to the next route (when the organization has one); a route may set its own.
   */
  ROUTE_DEVICE_FAILOVER_SECONDS: env.int(120).pipe(z.number().int().min(1).max(86_400)),
  /** Run the scheduler (scheduled sends, expiry) in this process. */
  SCHEDULER_ENABLED: env.bool(true),
  SCHEDULER_POLL_INTERVAL_MS: env.int(500).pipe(z.number().int().min(10)),
  SCHEDULER_BATCH_SIZE: env.int(200).pipe(z.number().int().min(1).max(5000)),
  /** RETENTION_ENABLED, RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE (libs/retention). */
  ...retentionConfigShape,
  /** PRIVACY_WORKER_ENABLED, PRIVACY_WORKER_INTERVAL_MS, PRIVACY_PAGE_SIZE (libs/privacy). */
  ...privacyConfigShape,
  /** WEBHOOK_*: customer webhooks (webhooks/webhooks.config.ts). */
  ...webhooksConfigShape,
  /** DOWNLOAD_SIGNING_SECRET, PUBLIC_DOWNLOAD_BASE_URL, CONTACT_IMPORT_*: contact imports. */
  ...contactImportsConfigShape,
  /** CAMPAIGN_*: the campaign runner (campaigns/campaigns.config.ts). */
  ...campaignsConfigShape,
  /** SECRET_KEYS, SECRET_KEY_ID: the keyring sealing webhook and carrier secrets at rest. */
  ...secretKeyringConfigShape,
  /** TWILIO_/TELNYX_API_BASE_URL, CARRIER_*: carriers (carriers/carriers.config.ts). */
  ...carriersConfigShape,
  /** MEDIA_*: inbound MMS media fetching and links (media/media.config.ts). */
  ...mediaConfigShape,
};

export type MessagingConfig = ReturnType<typeof loadMessagingConfig>;

/**
 * Loads and checks the configuration. The token settings are libs/auth's (outside production
 * AUTH_JWKS_URL defaults to the local accounts service, so `npm start` runs without extra
 * variables; production must set it).
 */
export function loadMessagingConfig(source: Record<string, string | undefined> = process.env) {
  const { config, problems } = resolveAuthConfig(loadConfig(messagingConfigShape, source));
  problems.push(...kafkaSecurityProblems(config));
  problems.push(...carriersConfigProblems(config));
  const secrets = secretKeyringFromConfig(config, 'messaging');
  problems.push(...secrets.problems);
  const links = secretsOrStandIns(config, {
    DOWNLOAD_SIGNING_SECRET: [config.DOWNLOAD_SIGNING_SECRET, DEVELOPMENT_LINK_SECRET],
  });
  problems.push(...links.problems);
  if (problems.length || !secrets.keyring) throw new ConfigError(problems);
  return {
    ...config,
    secretKeyring: secrets.keyring,
    DOWNLOAD_SIGNING_SECRET: links.values.DOWNLOAD_SIGNING_SECRET,
  };
}

export const MESSAGING_CONFIG = Symbol('MESSAGING_CONFIG');
