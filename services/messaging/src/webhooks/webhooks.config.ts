import { env, z } from '@switchboard/config';
import { parseAddressAllowList } from '../domain/webhook-address';

function validAllowList(value: string): boolean {
  try {
    parseAddressAllowList(value.split(','));
    return true;
  } catch {
    return false;
  }
}

/** Customer webhooks' settings (spread into messaging's config). */
export const webhooksConfigShape = {
  /** Endpoints may be plain http (never in production: NODE_ENV=production forces https). */
  WEBHOOK_ALLOW_HTTP: env.bool(false),
  /**
   * Addresses or CIDR ranges (comma-separated) a webhook may reach although the SSRF rules
   * forbid them (loopback, private…): tests and an operator's own receivers only.
   */
  WEBHOOK_ALLOWED_ADDRESSES: z
    .string()
    .default('')
    .refine(validAllowList, 'must be comma-separated IP addresses or CIDR ranges'),
  /** Run the delivery worker in this process. */
  WEBHOOK_WORKER_ENABLED: env.bool(true),
  WEBHOOK_POLL_INTERVAL_MS: env.int(1000).pipe(z.number().int().min(10)),
  /** Deliveries claimed per poll (sent concurrently). */
  WEBHOOK_BATCH_SIZE: env.int(20).pipe(z.number().int().min(1).max(500)),
  /** How long one request may take (connect to last byte) before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: env.int(10_000).pipe(z.number().int().min(100).max(60_000)),
  /** Retries continue this long after the first attempt (at least 72 hours). */
  WEBHOOK_RETRY_HOURS: env.int(72).pipe(
    z
      .number()
      .int()
      .min(72)
      .max(24 * 14),
  ),
  /** An endpoint failing without a single success for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_DAYS: env.int(5).pipe(z.number().int().min(1).max(60)),
};
