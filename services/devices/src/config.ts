import { privacyConfigShape } from '@switchboard/privacy';
import { retentionConfigShape } from '@switchboard/retention';
import { createHash } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { authConfigShape, resolveAuthConfig } from '@switchboard/auth';
import { env, isDevelopmentMode, loadConfig, secret, z } from '@switchboard/config';
import { kafkaSecurityConfigShape, kafkaSecurityProblems } from '@switchboard/events';
import { databaseConfigShape, httpConfigShape } from '@switchboard/service-kit';
import { publicUrls, type InterfaceList } from './domain/public-urls';

const seconds = (fallback: number, min = 1, max = 86_400) =>
  z.coerce.number().min(min).max(max).default(fallback);

/** The devices service's environment, validated at boot. README.md documents each variable. */
export const devicesConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4102),
  LOG_LEVEL: env.logLevel(),
  /** DATABASE_URL, DATABASE_OWNER_URL, DATABASE_POOL_SIZE, DATABASE_PREPARED_STATEMENTS. */
  ...databaseConfigShape,
  /** TRUST_PROXY (phones reach the service through the ingress), HTTP_KEEP_ALIVE_TIMEOUT_MS. */
  ...httpConfigShape,
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /**
   * Partitions a consumer handles at the same time (per-key order is kept: a key is one
   * partition). 4 by default (issue 17): at 1, a loaded 2-core machine moved ~1 dispatch
   * command or device state a second; the campaign fault and pacing runs
   * (e2e/campaign-fault-run.ts) use 12. Safe: dispatch commands are keyed by message, so a
   * message's commands stay in order; the rows two messages share (a device) are updated under
   * row locks, as concurrent phone requests already do.
   */
  KAFKA_PARTITIONS_CONCURRENTLY: env.int(4).pipe(z.number().int().min(1).max(12)),
  /**
   * Dispatch commands that arrive together are applied up to this many in one transaction
   * (libs/events batchMax: one processed-event insert, one commit, the organization's
   * registration and fleet read once; in organization order). 1: one command a transaction. A
   * failure, or a wait on a row lock another batch holds (two batches may take one
   * organization's devices in different orders), handles the commands again one at a time.
   */
  KAFKA_BATCH_MAX: env.int(50).pipe(z.number().int().min(1).max(500)),
  /** Consume devices.dispatch.v1 in this process (false: an API-only replica). */
  KAFKA_CONSUME: env.bool(true),
  /** Consumer group of the dispatch consumer. */
  KAFKA_GROUP_ID: z.string().min(1).default('devices'),
  /** TLS and SASL for a real cluster (KAFKA_SSL*, KAFKA_SASL_*): libs/events' settings. */
  ...kafkaSecurityConfigShape,
  /** Access tokens of the accounts service (GraphQL): libs/auth's settings and defaults. */
  ...authConfigShape,
  /**
   * Where phones reach this service (the chart's ingress, HTTPS): the device API is
   * `<PUBLIC_BASE_URL>/api/mobile/v1`, the inbound webhook `<PUBLIC_BASE_URL>/api/device-hooks`.
   */
  PUBLIC_BASE_URL: env.url().optional(),
  /**
   * The device API URL enrollment hands out, when it is not `<PUBLIC_BASE_URL>/api/mobile/v1`.
   * Without either, phones are given this machine's LAN address (a phone on the same Wi-Fi can
   * reach it; 127.0.0.1 only when the machine has no other address).
   */
  DEVICE_API_PUBLIC_URL: env.url().optional(),
  /** 32 bytes, base64: encrypts the phones' webhook signing keys at rest (AES-256-GCM). */
  DEVICES_SECRET_KEY: secret(env.aesKey().optional()),
  /** Largest request body of the device API and the webhook receiver. */
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/)
    .default('256kb'),
  /** SSE keepalive comment interval (the app's reference server uses 15 s). */
  SSE_KEEPALIVE_SECONDS: seconds(15, 0.1, 15),
  /** Sent to phones in /settings: how often the app pings (and so pulls); 0 leaves it off. */
  PING_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** A device without an SSE connection or a request for this long is OFFLINE. */
  DEVICE_OFFLINE_AFTER_SECONDS: seconds(90, 0.5),
  /** An OFFLINE device keeps its queue this long before it is released (RELEASED). */
  DEVICE_RELEASE_GRACE_SECONDS: seconds(60, 0),
  /** The pacing window: a device gets its send rate per this many ms (60 000: per minute). */
  PACING_WINDOW_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /**
   * Added to the window when the server counts a device's handouts: the pull's own latency
   * varies, so handouts a window apart on the server can arrive less than a window apart on the
   * phone, whose Android counts sends in its own rolling minute. Unset: window ÷ 60, at most
   * 1000 ms (1 s a minute, 1/61 of the rate).
   */
  PACING_MARGIN_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  /** Send rate of a new device, segments per window (Android's per-app limit is 30/min). */
  DEFAULT_SEND_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(30),
  /** Highest send rate an organization may set (above 30 the phone's own limit must be raised). */
  MAX_SEND_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(600).default(30),
  /** A device queue holds at most this many windows of sending; the rest waits in the pool. */
  MAX_QUEUE_WINDOWS: z.coerce.number().int().min(1).max(1440).default(10),
  /** How often the leader replica checks presence, expiry, the pool and health. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** A message handed out and not reported for this long counts against the device's health. */
  HANDOUT_TIMEOUT_SECONDS: seconds(600, 1),
  /** Quarantine after this many failures in a row... */
  QUARANTINE_AFTER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** ...or when the health score (0–100) falls below this after 10 outcomes. */
  QUARANTINE_BELOW_SCORE: z.coerce.number().min(0).max(100).default(20),
  /** Validity of an enrollment token created without `expiresAt`. */
  ENROLLMENT_TTL_HOURS: z.coerce
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(24),
  /** Device registrations (`POST /device`) per client address per hour; 0: no limit. */
  DEVICE_REGISTRATIONS_PER_IP_PER_HOUR: z.coerce.number().int().min(0).max(1_000_000).default(120),
  /** Registrations per enrollment token per hour (a leaked token is not a free-for-all). */
  DEVICE_REGISTRATIONS_PER_TOKEN_PER_HOUR: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(60),
  /** Device API requests per device per minute (SSE keepalives are not requests); 0: none. */
  DEVICE_API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  /** Signed webhook calls older or newer than this are refused. */
  WEBHOOK_MAX_SKEW_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** RETENTION_ENABLED, RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE (libs/retention). */
  ...retentionConfigShape,
  /** PRIVACY_WORKER_ENABLED, PRIVACY_WORKER_INTERVAL_MS, PRIVACY_PAGE_SIZE (libs/privacy). */
  ...privacyConfigShape,
};

export type DevicesConfig = ReturnType<typeof loadDevicesConfig>;

/** Only for development and tests: a fixed key anyone can read is no key. */
const DEVELOPMENT_SECRET_KEY = createHash('sha256')
  .update('switchboard devices development key')
  .digest();

export function loadDevicesConfig(
  source: Record<string, string | undefined> = process.env,
  interfaces: InterfaceList = networkInterfaces(),
) {
  const { config, problems: authProblems } = resolveAuthConfig(
    loadConfig(devicesConfigShape, source),
  );
  // Development mode only when asked for (NODE_ENV=development or test): unset is production.
  const production = !isDevelopmentMode(config);
  const missing = (
    [
      ['PUBLIC_BASE_URL', config.PUBLIC_BASE_URL],
      ['DEVICES_SECRET_KEY', config.DEVICES_SECRET_KEY],
    ] as const
  ).filter(([, value]) => production && !value);
  const problems = [
    ...authProblems,
    ...kafkaSecurityProblems(config),
    ...missing.map(([name]) => `${name} is required in production`),
  ];
  // Presence is refreshed by the SSE keepalives: a phone with an open stream must not look
  // silent between two of them.
  if (config.DEVICE_OFFLINE_AFTER_SECONDS < 2 * config.SSE_KEEPALIVE_SECONDS) {
    problems.push('DEVICE_OFFLINE_AFTER_SECONDS must be at least twice SSE_KEEPALIVE_SECONDS');
  }
  if (problems.length > 0) {
    throw new Error(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const urls = publicUrls(config, interfaces);
  return {
    ...config,
    PUBLIC_BASE_URL: urls.publicBaseUrl,
    secretKey: config.DEVICES_SECRET_KEY
      ? Buffer.from(config.DEVICES_SECRET_KEY, 'base64')
      : DEVELOPMENT_SECRET_KEY,
    usesDevelopmentSecretKey: !config.DEVICES_SECRET_KEY,
    /** The URL users type into the app ("Cloud server" → API URL). */
    deviceApiUrl: urls.deviceApiUrl,
    deviceHooksUrl: urls.deviceHooksUrl,
  };
}

export const DEVICES_CONFIG = Symbol('DEVICES_CONFIG');
