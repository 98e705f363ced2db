/** One readiness check: resolves when the dependency can serve, rejects (with why) otherwise. */
export interface ReadinessCheck {
  /** Shown in the `/health/ready` answer, e.g. `postgres`. */
  name: string;
  /** Aborted when the check's time is up. */
  check: (signal: AbortSignal) => Promise<void>;
}

export interface CheckOptions {
  name?: string;
  timeoutMs?: number;
}

/** Anything that runs SQL: a pg `Pool`/`Client`, a TypeORM `DataSource` or `EntityManager`. */
export interface Queryable {
  query(sql: string): Promise<unknown>;
}

const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/** Rejects when `work` has not settled within `ms` (the work itself cannot be cancelled). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `SELECT 1` against the database, bounded by a timeout (a full pool would hang forever). */
export function postgresCheck(db: Queryable, options: CheckOptions = {}): ReadinessCheck {
  const name = options.name ?? 'postgres';
  const ms = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  return { name, check: async () => void (await withTimeout(db.query('SELECT 1'), ms, name)) };
}

/**
 * A Kafka check from any probe, e.g. `() => admin.describeCluster()` or the consumer
 * group's state — whatever says this service can produce and consume.
 */
export function kafkaCheck(
  probe: () => Promise<unknown>,
  options: CheckOptions = {},
): ReadinessCheck {
  const name = options.name ?? 'kafka';
  const ms = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  return { name, check: async () => void (await withTimeout(probe(), ms, name)) };
}
