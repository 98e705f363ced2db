import { authConfigShape } from '@switchboard/auth';
import { env, loadConfig, secret, z } from '@switchboard/config';
import { isKnownCountry } from './messages/domain/phone-number';

/** The messaging service's environment, validated at boot. */
export const messagingConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4103),
  LOG_LEVEL: env.logLevel(),
  /** Application role: what the service runs as (row-level security applies). */
  DATABASE_URL: secret(env.postgresUrl()),
  /** Owner role: migrations only. */
  DATABASE_OWNER_URL: secret(env.postgresUrl()).optional(),
  /** Connections of the application pool (sends hold one for a few milliseconds). */
  DATABASE_POOL_SIZE: env.int(20).pipe(z.number().int().min(2).max(200)),
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /** Consumer group of the device-report, inbound and projection consumers. */
  KAFKA_GROUP_ID: z.string().min(1).default('messaging'),
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
  /** Lifetime of an idempotency key. */
  IDEMPOTENCY_KEY_TTL_HOURS: env.int(24).pipe(
    z
      .number()
      .int()
      .min(1)
      .max(24 * 30),
  ),
  /** Run the scheduler (scheduled sends, expiry) in this process. */
  SCHEDULER_ENABLED: env.bool(true),
  SCHEDULER_POLL_INTERVAL_MS: env.int(500).pipe(z.number().int().min(10)),
  SCHEDULER_BATCH_SIZE: env.int(200).pipe(z.number().int().min(1).max(5000)),
};

export type MessagingConfig = ReturnType<typeof loadMessagingConfig>;

/**
 * Outside production the token settings default to the local accounts service (port 4101),
 * so `npm start` runs without extra variables; production must set them.
 */
const developmentDefaults: Record<string, string> = {
  AUTH_JWKS_URL: 'http://127.0.0.1:4101/.well-known/jwks.json',
  AUTH_ISSUER: 'urn:switchboard:accounts',
  AUTH_AUDIENCE: 'switchboard-api',
};

export function loadMessagingConfig(source: Record<string, string | undefined> = process.env) {
  const withDefaults =
    source.NODE_ENV === 'production'
      ? source
      : {
          ...developmentDefaults,
          ...Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)),
        };
  return loadConfig(messagingConfigShape, withDefaults);
}

export const MESSAGING_CONFIG = Symbol('MESSAGING_CONFIG');
