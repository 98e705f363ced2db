import { env, z } from '@switchboard/config';

/** The privacy worker's settings, spread into the config of every participating service. */
export const privacyConfigShape = {
  /** Run the privacy worker (exports, erasures) in this process (on the leader replica only). */
  PRIVACY_WORKER_ENABLED: env.bool(true),
  /** How often the worker looks for requests besides being woken by the consumer. */
  PRIVACY_WORKER_INTERVAL_MS: env.int(5000).pipe(z.number().int().min(50).max(600_000)),
  /** Rows read or changed per transaction. */
  PRIVACY_PAGE_SIZE: env.int(500).pipe(z.number().int().min(1).max(10_000)),
};

export interface PrivacyOptions {
  service: string;
  connectionString: string;
  enabled: boolean;
  intervalMs: number;
  pageSize: number;
}

export const PRIVACY_OPTIONS = Symbol('PRIVACY_OPTIONS');

export function privacyOptions(
  service: string,
  config: {
    DATABASE_URL: string;
    PRIVACY_WORKER_ENABLED: boolean;
    PRIVACY_WORKER_INTERVAL_MS: number;
    PRIVACY_PAGE_SIZE: number;
  },
): PrivacyOptions {
  return {
    service,
    connectionString: config.DATABASE_URL,
    enabled: config.PRIVACY_WORKER_ENABLED,
    intervalMs: config.PRIVACY_WORKER_INTERVAL_MS,
    pageSize: config.PRIVACY_PAGE_SIZE,
  };
}
