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
  nodeEnv: () => z.enum(['development', 'test', 'production']).default('development'),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** 32 bytes, base64: keys for AES-256-GCM encryption at rest. */
  aesKey: () =>
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
};
