import { z } from 'zod';

/** Thrown at boot when the environment does not satisfy a service's schema. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const SECRET = Symbol('secret');
type Secret<T extends z.ZodType> = T & { [SECRET]: true };

/** Marks a variable as sensitive: it is validated like any other but never printed. */
export function secret<T extends z.ZodType>(schema: T): Secret<T> {
  return Object.assign(schema, { [SECRET]: true as const });
}

function isSecret(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && SECRET in schema;
}

/**
 * Validates `env` against a service's schema (one key per environment variable) and returns
 * the typed config. On any problem it throws one ConfigError naming every bad or missing
 * variable — never its value — so a service stops at boot with a message an operator can act on.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const missing = env[String(issue.path[0])] === undefined;
    return missing ? `${name} is required but not set` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** The config with every secret replaced, safe to log at start-up. */
export function describeConfig<S extends z.ZodRawShape>(
  shape: S,
  config: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      isSecret(shape[key]) && value !== undefined ? '[secret]' : value,
    ]),
  );
}

/** Common variable types. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  url: () => z.string().url(),
  postgresUrl: () => z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  brokers: () =>
    z
      .string()
      .min(1)
      .transform((value) =>
        value
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      ),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  int: (fallback: number) => z.coerce.number().int().default(fallback),
  /**
   * NODE_ENV, `production` when unset: development mode (publicly known stand-ins for secrets,
   * cheap bcrypt...) is only ever asked for explicitly (see isDevelopmentMode).
   */
  nodeEnv: () => z.enum(['development', 'test', 'production']).default('production'),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 32 bytes, base64: keys for AES-256-GCM encryption at rest. */
  aesKey: () =>
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
};

/** The NODE_ENV values that ask for development mode. */
export const DEVELOPMENT_MODES: readonly string[] = ['development', 'test'];

/**
 * Whether development mode was asked for explicitly: NODE_ENV=development (the start command)
 * or NODE_ENV=test (test harnesses, the e2e platform). Anything else, unset included, is
 * production: secrets are required, no publicly known stand-in is ever used.
 */
export function isDevelopmentMode(config: { NODE_ENV?: string }): boolean {
  return config.NODE_ENV !== undefined && DEVELOPMENT_MODES.includes(config.NODE_ENV);
}

/** The problem reported for a secret missing outside development mode. */
export function requiredSecretProblem(name: string): string {
  return `${name} is required but not set (development stand-ins only with NODE_ENV=development or test)`;
}

/**
 * Secrets that have publicly known development stand-ins: each set value is kept; a missing one
 * is its stand-in in development mode and a problem (naming the variable) otherwise.
 *
 *   const { values, problems, standIns } = secretsOrStandIns(config, {
 *     INTERNAL_API_SECRET: [config.INTERNAL_API_SECRET, 'switchboard-dev-internal-secret'],
 *   });
 */
export function secretsOrStandIns<K extends string, T>(
  config: { NODE_ENV?: string },
  secrets: Record<K, readonly [T | undefined, T]>,
): { values: Record<K, T>; problems: string[]; standIns: K[] } {
  const development = isDevelopmentMode(config);
  const values = {} as Record<K, T>;
  const problems: string[] = [];
  const standIns: K[] = [];
  for (const name of Object.keys(secrets) as K[]) {
    const [value, standIn] = secrets[name];
    if (value !== undefined && value !== '') values[name] = value;
    else if (development) {
      values[name] = standIn;
      standIns.push(name);
    } else {
      values[name] = standIn; // never used: the problem stops the boot
      problems.push(requiredSecretProblem(name));
    }
  }
  return { values, problems, standIns };
}
