import { env, z } from '@switchboard/config';

const httpUrl = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
      } catch {
        return false;
      }
    }, 'must be an absolute http(s) URL without query or fragment')
    .transform((value) => value.replace(/\/+$/, ''));

/** Carriers' settings (spread into messaging's config). */
export const carriersConfigShape = {
  /** Twilio's REST API (a local test server in tests): the base of `/2010-04-01/…`. */
  TWILIO_API_BASE_URL: httpUrl('https://api.twilio.com'),
  /** Telnyx's REST API: the base of `/messages` (it includes `/v2`). */
  TELNYX_API_BASE_URL: httpUrl('https://api.telnyx.com/v2'),
  /**
   * The public URL the carriers call back: messaging's `/api/carrier-hooks/…` is under it (the
   * ingress routes `/api/carrier-hooks` to messaging). Twilio signs the exact URL it calls, so
   * this must be the URL as the carrier sees it. https in production.
   */
  CARRIER_CALLBACK_BASE_URL: httpUrl('http://127.0.0.1:4103'),
  /** Telnyx callbacks older or newer than this (against telnyx-timestamp) are refused. */
  CARRIER_CALLBACK_TOLERANCE_SECONDS: env.int(300).pipe(z.number().int().min(30).max(3600)),
  /** Run the carrier dispatch worker in this process. */
  CARRIER_WORKER_ENABLED: env.bool(true),
  CARRIER_POLL_INTERVAL_MS: env.int(250).pipe(z.number().int().min(10)),
  /** Sends claimed per poll (sent concurrently). */
  CARRIER_BATCH_SIZE: env.int(20).pipe(z.number().int().min(1).max(500)),
  /** One carrier API request, connect to last byte. */
  CARRIER_TIMEOUT_MS: env.int(10_000).pipe(z.number().int().min(100).max(60_000)),
  /** Tries of one send on transient errors (429, 5xx, no answer) before it counts as failed. */
  CARRIER_MAX_TRIES: env.int(5).pipe(z.number().int().min(1).max(20)),
};

/** Boot problems the shape cannot express. */
export function carriersConfigProblems(config: {
  NODE_ENV?: string;
  CARRIER_CALLBACK_BASE_URL: string;
}): string[] {
  return config.NODE_ENV === 'production' && !config.CARRIER_CALLBACK_BASE_URL.startsWith('https:')
    ? ['CARRIER_CALLBACK_BASE_URL must be https in production']
    : [];
}
