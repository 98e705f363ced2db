import { env, z } from '@switchboard/config';

/** The retention job's settings, spread into the config shape of every service that runs one. */
export const retentionConfigShape = {
  /** Run the retention job in this process (on the leader replica only). */
  RETENTION_ENABLED: env.bool(true),
  /** Wait between the end of one run and the next. */
  RETENTION_INTERVAL_MS: env.int(3_600_000).pipe(z.number().int().min(1000)),
  /** Rows changed per transaction (never one giant statement). */
  RETENTION_BATCH_SIZE: env.int(1000).pipe(z.number().int().min(1).max(100_000)),
};
