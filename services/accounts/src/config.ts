import { authTokenConfigShape } from '@switchboard/auth';
import {
  ConfigError,
  env,
  isDevelopmentMode,
  loadConfig,
  secret,
  secretsOrStandIns,
  z,
} from '@switchboard/config';
import { kafkaSecurityConfigShape, kafkaSecurityProblems } from '@switchboard/events';
import { privacyConfigShape } from '@switchboard/privacy';
import { retentionConfigShape } from '@switchboard/retention';
import { databaseConfigShape, httpConfigShape } from '@switchboard/service-kit';

/**
 * Development-only stand-ins for the secrets (publicly known), used only when development mode
 * is asked for explicitly (NODE_ENV=development or test; @switchboard/config isDevelopmentMode).
 * With NODE_ENV unset the service is in production and refuses to boot without the secrets.
 */
const DEV_DEFAULTS = {
  SIGNING_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 'switchboard-dev-signing-key!').toString('base64'),
  INTERNAL_API_SECRET: 'switchboard-dev-internal-secret',
} as const;

const optionalUrl = () =>
  z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .pipe(z.string().url().optional());

/** A rate limit: requests per window, 0 = no limit. */
const limit = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/**
 * The accounts service's environment, validated at boot. (`secret()` marks the outermost
 * schema: write `secret(x.optional())`, never `secret(x).optional()`, or describeConfig prints
 * the value.)
 */
export const accountsConfigShape = {
  NODE_ENV: env.nodeEnv(),
  PORT: env.port(4101),
  LOG_LEVEL: env.logLevel(),
  /** DATABASE_URL, DATABASE_OWNER_URL, DATABASE_POOL_SIZE, DATABASE_PREPARED_STATEMENTS. */
  ...databaseConfigShape,
  KAFKA_BROKERS: env.brokers(),
  KAFKA_IDEMPOTENT_PRODUCER: env.bool(true),
  /** Shorter Kafka timings for the dev broker and tests. */
  KAFKA_FAST_CONSUMERS: env.bool(false),
  /** Consumer group of the mail sender (replicas share it). */
  KAFKA_GROUP_ID: z.string().min(1).default('accounts'),
  /** TLS and SASL for a real cluster (KAFKA_SSL*, KAFKA_SASL_*): libs/events' settings. */
  ...kafkaSecurityConfigShape,

  /**
   * `iss` and `aud` of every access token (AUTH_ISSUER, AUTH_AUDIENCE): libs/auth's settings,
   * which verifiers (gateway, subgraphs) read with the same defaults.
   */
  ...authTokenConfigShape,
  /** Lifetime of access tokens of signed-in users (seconds, at most 15 minutes). */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(900),
  /** Lifetime of refresh tokens (seconds, default 30 days); each use rotates the token. */
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(90 * 86400)
    .default(30 * 86400),
  /** Lifetime of the JWT an API token is exchanged for (seconds, at most 5 minutes). */
  API_TOKEN_JWT_TTL_SECONDS: z.coerce.number().int().min(30).max(300).default(300),
  /** AES-256-GCM key (32 bytes, base64) encrypting the signing keys' private halves at rest. */
  SIGNING_KEY_ENCRYPTION_KEY: secret(env.aesKey().optional()),
  /** Shared secret the gateway sends as `x-internal-secret` on POST /internal/token-exchange. */
  INTERNAL_API_SECRET: secret(z.string().min(16).optional()),

  /** bcrypt cost factor: at least 12 outside development mode; tests may use 4. */
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Failed logins per account (15 min window) before TOO_MANY_ATTEMPTS. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: env.int(5),
  /** Failed logins per client IP (15 min window) before TOO_MANY_ATTEMPTS. */
  LOGIN_MAX_FAILURES_PER_IP: env.int(30),
  LOGIN_THROTTLE_WINDOW_SECONDS: env.int(900),
  /**
   * Rate limits of the operations that send mail or create accounts (sliding windows; a limit
   * of 0 turns it off). Past one: TOO_MANY_ATTEMPTS with retryAfterSeconds — except
   * requestPasswordReset's per-email limit, which answers `true` without mailing, so that it
   * tells nothing about the address. The window of the per-IP and per-email limits:
   */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** signUp requests per client IP per window. */
  SIGNUP_MAX_PER_IP: limit(10),
  /** requestPasswordReset requests per client IP per window. */
  PASSWORD_RESET_MAX_PER_IP: limit(10),
  /** Reset mails per email address per window (known or not, counted alike). */
  PASSWORD_RESET_MAX_PER_EMAIL: limit(3),
  /** resendVerificationEmail requests per client IP per window. */
  VERIFICATION_EMAIL_MAX_PER_IP: limit(10),
  /** resendVerificationEmail mails per email address per window. */
  VERIFICATION_EMAIL_MAX_PER_EMAIL: limit(3),
  /** inviteMember requests per client IP per window (across organizations). */
  INVITATION_MAX_PER_IP: limit(100),
  /** Invitations per invited email per organization per window. */
  INVITATION_MAX_PER_EMAIL: limit(5),
  /** Invitations per organization per 24 hours. */
  INVITATION_MAX_PER_ORG_PER_DAY: limit(100),
  /**
   * Limits of the operations that take a secret (a password or a mailed/refresh token), against
   * guessing and hammering; every request counts, failed ones too. Past one: RATE_LIMITED with
   * retryAfterSeconds. Per window (RATE_LIMIT_WINDOW_SECONDS):
   */
  /** changePassword requests per signed-in user (a stolen session guessing the current password). */
  CHANGE_PASSWORD_MAX_PER_USER: limit(10),
  /** resetPassword requests per client IP, and per presented reset token. */
  RESET_PASSWORD_MAX_PER_IP: limit(20),
  RESET_PASSWORD_MAX_PER_TOKEN: limit(10),
  /** acceptInvitation requests per client IP, and per presented invitation token. */
  ACCEPT_INVITATION_MAX_PER_IP: limit(20),
  ACCEPT_INVITATION_MAX_PER_TOKEN: limit(10),
  /**
   * refreshSession requests per client IP (a client refreshes about 4 times an hour; an office
   * behind one address has many), and per presented refresh token (single use: more is replay).
   */
  REFRESH_SESSION_MAX_PER_IP: limit(600),
  REFRESH_SESSION_MAX_PER_TOKEN: limit(10),
  /**
   * TRUST_PROXY: which hops may set X-Forwarded-For, so the client IP (login throttling, rate
   * limits) is the caller's and not the gateway's; HTTP_KEEP_ALIVE_TIMEOUT_MS (see the kit).
   */
  ...httpConfigShape,

  /** Where the links in emails point (the web app): `<APP_BASE_URL>/verify-email?token=…`. */
  APP_BASE_URL: z.string().url().default('http://localhost:3000'),
  /** SMTP server, e.g. `smtp://user:pass@smtp.example.com:587`; unset: mails are only logged (development). */
  SMTP_URL: secret(optionalUrl()),
  MAIL_FROM: z.string().min(3).default('Switchboard <no-reply@switchboard.local>'),
  /** Transactional mails older than this when the mail sender reads them are dropped. */
  MAIL_MAX_AGE_SECONDS: env.int(86400),
  EMAIL_VERIFICATION_TTL_SECONDS: env.int(2 * 86400),
  PASSWORD_RESET_TTL_SECONDS: env.int(3600),
  INVITATION_TTL_SECONDS: env.int(7 * 86400),

  /** Days between closing an organization and purging it. */
  ORG_PURGE_DELAY_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  /** How often the purge job looks for organizations due (seconds; 0 disables it). */
  ORG_PURGE_INTERVAL_SECONDS: env.int(60),

  /** Google sign-in (OpenID Connect); off unless the client id and secret are set. */
  GOOGLE_OIDC_ISSUER: z.string().url().default('https://accounts.google.com'),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: secret(z.string().optional()),
  /** The redirect URI registered with Google: the web app's page that receives `code` and `state`. */
  GOOGLE_REDIRECT_URI: optionalUrl(),

  /** RETENTION_ENABLED, RETENTION_INTERVAL_MS, RETENTION_BATCH_SIZE (libs/retention). */
  ...retentionConfigShape,
  /** PRIVACY_WORKER_ENABLED, PRIVACY_WORKER_INTERVAL_MS, PRIVACY_PAGE_SIZE (libs/privacy). */
  ...privacyConfigShape,
};

type RawAccountsConfig = ReturnType<typeof loadRawConfig>;

export type AccountsConfig = Omit<
  RawAccountsConfig,
  'SIGNING_KEY_ENCRYPTION_KEY' | 'INTERNAL_API_SECRET'
> & {
  SIGNING_KEY_ENCRYPTION_KEY: string;
  INTERNAL_API_SECRET: string;
  /** The secrets filled in with development stand-ins (development mode only). */
  usesDevelopmentSecrets: readonly string[];
};

function loadRawConfig(source: Record<string, string | undefined>) {
  return loadConfig(accountsConfigShape, source);
}

/**
 * Loads and checks the configuration. Outside development mode (NODE_ENV=development or test,
 * asked for explicitly; unset is production) the secrets and SMTP are required and bcrypt must
 * cost at least 12; in development mode publicly known stand-ins fill the secrets in.
 */
export function loadAccountsConfig(
  source: Record<string, string | undefined> = process.env,
): AccountsConfig {
  const raw = loadRawConfig(source);
  const problems: string[] = kafkaSecurityProblems(raw);
  const secrets = secretsOrStandIns(raw, {
    SIGNING_KEY_ENCRYPTION_KEY: [
      raw.SIGNING_KEY_ENCRYPTION_KEY,
      DEV_DEFAULTS.SIGNING_KEY_ENCRYPTION_KEY,
    ],
    INTERNAL_API_SECRET: [raw.INTERNAL_API_SECRET, DEV_DEFAULTS.INTERNAL_API_SECRET],
  });
  problems.push(...secrets.problems);
  if (!isDevelopmentMode(raw)) {
    if (!raw.SMTP_URL) problems.push('SMTP_URL is required in production');
    if (raw.BCRYPT_COST < 12) problems.push('BCRYPT_COST: must be at least 12 in production');
  }
  if (raw.GOOGLE_CLIENT_ID && !raw.GOOGLE_CLIENT_SECRET)
    problems.push('GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set');
  if (raw.GOOGLE_CLIENT_ID && !raw.GOOGLE_REDIRECT_URI)
    problems.push('GOOGLE_REDIRECT_URI is required when GOOGLE_CLIENT_ID is set');
  if (problems.length) throw new ConfigError(problems);
  return { ...raw, ...secrets.values, usesDevelopmentSecrets: secrets.standIns };
}

/** Whether Google sign-in is configured. */
export function googleSignInEnabled(config: AccountsConfig): boolean {
  return Boolean(config.GOOGLE_CLIENT_ID && config.GOOGLE_CLIENT_SECRET);
}

export const ACCOUNTS_CONFIG = Symbol('ACCOUNTS_CONFIG');
