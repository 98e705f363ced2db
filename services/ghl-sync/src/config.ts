import { authConfigShape, resolveAuthConfig } from '@switchboard/auth';
import { ConfigError, env, isDevelopmentMode, loadConfig, secret, z } from '@switchboard/config';
import { kafkaSecurityConfigShape, kafkaSecurityProblems } from '@switchboard/events';
import { privacyConfigShape } from '@switchboard/privacy';
import { retentionConfigShape } from '@switchboard/retention';
import {
  databaseConfigShape,
  httpConfigShape,
  secretKeyringConfigShape,
  secretKeyringFromConfig,
} from '@switchboard/service-kit';

const GHL_VERSION = z.string().regex(/^(\d{4}-\d{2}-\d{2}|v\d+)$/, 'a GHL API version');
/** A PEM public key, or the base64 body of an SPKI key (the form GHL's guide publishes). */
const PUBLIC_KEY = z.string().min(40);

/** The ghl-sync service's environment, validated at boot. README.md documents each variable. */
export const ghlSyncConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4106),
  LOG_LEVEL: env.logLevel(),
  /** DATABASE_URL, DATABASE_OWNER_URL, DATABASE_POOL_SIZE, DATABASE_PREPARED_STATEMENTS. */
  ...databaseConfigShape,
  /** TRUST_PROXY, HTTP_KEEP_ALIVE_TIMEOUT_MS, METRICS_PORT, SUBGRAPH_SHARED_SECRET, GraphQL limits. */
  ...httpConfigShape,
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /** Consumer group of the message, suppression and organization consumers. */
  KAFKA_GROUP_ID: z.string().min(1).default('ghl-sync'),
  /** TLS and SASL for a real cluster (KAFKA_SSL*, KAFKA_SASL_*): libs/events' settings. */
  ...kafkaSecurityConfigShape,
  /** Access tokens of the accounts service (GraphQL): libs/auth's settings and defaults. */
  ...authConfigShape,
  /** SECRET_KEYS, SECRET_KEY_ID: the keyring GHL tokens are sealed with (AES-256-GCM). */
  ...secretKeyringConfigShape,
  /** RETENTION_ENABLED, RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE (libs/retention). */
  ...retentionConfigShape,
  /** PRIVACY_WORKER_ENABLED, PRIVACY_WORKER_INTERVAL_MS, PRIVACY_PAGE_SIZE (libs/privacy). */
  ...privacyConfigShape,
  /** The marketplace app's OAuth client id. Required outside development mode. */
  GHL_CLIENT_ID: z.string().min(1).optional(),
  /** Sensitive. The marketplace app's OAuth client secret. Required outside development mode. */
  GHL_CLIENT_SECRET: secret(z.string().min(1).optional()),
  /** The marketplace app's id (INSTALL/UNINSTALL webhooks of other apps are ignored). */
  GHL_APP_ID: z.string().min(1).optional(),
  /** Where GHL's API is (a local test server in tests). */
  GHL_API_BASE: z.string().url().default('https://services.leadconnectorhq.com'),
  /** Where users choose the locations to install on (white-label: marketplace.leadconnectorhq.com). */
  GHL_MARKETPLACE_BASE: z.string().url().default('https://marketplace.gohighlevel.com'),
  /** The OAuth redirect URI registered for the app: this service's `/ghl/oauth/callback`. */
  GHL_REDIRECT_URI: z.string().url().default('http://localhost:4106/ghl/oauth/callback'),
  /** The scopes asked for (space-separated). */
  GHL_SCOPES: z
    .string()
    .default(
      'conversations/message.write conversations/message.readonly conversations.readonly conversations.write contacts.readonly contacts.write oauth.write oauth.readonly',
    ),
  /** The conversation provider's id (the app's SMS provider): sent with every inbound message. */
  GHL_CONVERSATION_PROVIDER_ID: z.string().min(1).default('switchboard-sms'),
  /**
   * GHL's Ed25519 webhook public key (`X-GHL-Signature`): a PEM or the base64 SPKI body from
   * GHL's Webhook Integration Guide. Required outside development mode.
   */
  GHL_WEBHOOK_PUBLIC_KEY: PUBLIC_KEY.optional(),
  /** GHL's legacy RSA webhook public key (`X-WH-Signature`), PEM. */
  GHL_WEBHOOK_RSA_PUBLIC_KEY: PUBLIC_KEY.optional(),
  /**
   * Accept app webhooks (INSTALL, UNINSTALL, ContactDndUpdate) signed only with the legacy RSA
   * header. Never for the provider Delivery URL, which GHL signs with Ed25519 only.
   */
  GHL_ACCEPT_LEGACY_RSA_SIGNATURE: env.bool(false),
  /** App webhooks whose `timestamp` is further than this from now are refused (replays). */
  GHL_WEBHOOK_TOLERANCE_SECONDS: env.int(300).pipe(z.number().int().min(30).max(3600)),
  /** Sensitive. The HMAC key of the OAuth `state` (≥ 32 characters). Required outside development mode. */
  GHL_STATE_SECRET: secret(z.string().min(32).optional()),
  /** How long an authorize link (its signed state) works. */
  GHL_STATE_TTL_SECONDS: env.int(900).pipe(z.number().int().min(60).max(86_400)),
  /** `Version` header of the conversations endpoints. */
  GHL_VERSION_CONVERSATIONS: GHL_VERSION.default('2021-04-15'),
  /** `Version` header of the contacts endpoints. */
  GHL_VERSION_CONTACTS: GHL_VERSION.default('2021-07-28'),
  /** `Version` header of `/oauth/locationToken` and `/oauth/installedLocations`. */
  GHL_VERSION_OAUTH: GHL_VERSION.default('2021-07-28'),
  /** A token is refreshed when it expires within this many seconds. */
  GHL_TOKEN_REFRESH_MARGIN_SECONDS: env.int(300).pipe(z.number().int().min(30).max(43_200)),
  /** GHL's burst limit per location: requests per interval. */
  GHL_RATE_BURST: env.int(100).pipe(z.number().int().min(1).max(10_000)),
  GHL_RATE_INTERVAL_MS: env.int(10_000).pipe(z.number().int().min(100).max(3_600_000)),
  /** GHL's daily limit per location. */
  GHL_RATE_DAILY: env.int(200_000).pipe(z.number().int().min(1)),
  /** How often the callback queue is worked (it is also woken by new work). */
  GHL_CALLBACK_INTERVAL_MS: env.int(1000).pipe(z.number().int().min(10).max(60_000)),
  /** A callback still failing after this many attempts is given up (kept, with its error). */
  GHL_CALLBACK_MAX_ATTEMPTS: env.int(12).pipe(z.number().int().min(1).max(100)),
};

/** Only for development and tests: fixed, public stand-ins. */
const DEVELOPMENT_STATE_SECRET = 'switchboard-ghl-sync-development-state-secret';

export type GhlSyncConfig = ReturnType<typeof loadGhlSyncConfig>;

/** Loads and checks the configuration (GHL's app secrets are required in production). */
export function loadGhlSyncConfig(source: Record<string, string | undefined> = process.env) {
  const { config, problems } = resolveAuthConfig(loadConfig(ghlSyncConfigShape, source));
  problems.push(...kafkaSecurityProblems(config));
  const { keyring, problems: keyProblems } = secretKeyringFromConfig(config, 'ghl-sync');
  problems.push(...keyProblems);
  if (!isDevelopmentMode(config)) {
    for (const name of [
      'GHL_CLIENT_ID',
      'GHL_CLIENT_SECRET',
      'GHL_APP_ID',
      'GHL_WEBHOOK_PUBLIC_KEY',
      'GHL_STATE_SECRET',
    ] as const) {
      if (!config[name]) problems.push(`${name} is required in production`);
    }
  }
  if (config.GHL_ACCEPT_LEGACY_RSA_SIGNATURE && !config.GHL_WEBHOOK_RSA_PUBLIC_KEY) {
    problems.push('GHL_WEBHOOK_RSA_PUBLIC_KEY is required when GHL_ACCEPT_LEGACY_RSA_SIGNATURE');
  }
  if (problems.length || !keyring) throw new ConfigError(problems);
  return {
    ...config,
    GHL_CLIENT_ID: config.GHL_CLIENT_ID ?? 'switchboard-development-client',
    GHL_CLIENT_SECRET: config.GHL_CLIENT_SECRET ?? 'switchboard-development-client-secret',
    GHL_APP_ID: config.GHL_APP_ID ?? 'switchboard-development-app',
    GHL_STATE_SECRET: config.GHL_STATE_SECRET ?? DEVELOPMENT_STATE_SECRET,
    keyring,
  };
}

export const GHL_SYNC_CONFIG = Symbol('GHL_SYNC_CONFIG');
