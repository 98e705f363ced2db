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

/** Inbound MMS media fetching and links (spread into messaging's config). */
export const mediaConfigShape = {
  /** Run the media fetch worker in this process. */
  MEDIA_WORKER_ENABLED: env.bool(true),
  MEDIA_POLL_INTERVAL_MS: env.int(1000).pipe(z.number().int().min(10)),
  /** Media claimed per poll (fetched concurrently). */
  MEDIA_BATCH_SIZE: env.int(10).pipe(z.number().int().min(1).max(200)),
  /** Largest medium kept, in bytes (5 MiB: carriers' own MMS limits are lower). */
  MEDIA_MAX_BYTES: env.int(5 * 1024 * 1024).pipe(
    z
      .number()
      .int()
      .min(1)
      .max(50 * 1024 * 1024),
  ),
  /** Content types kept (comma-separated, `type/*` wildcards); anything else → UNSUPPORTED_TYPE. */
  MEDIA_CONTENT_TYPES: z
    .string()
    .default(
      'image/jpeg,image/png,image/gif,image/bmp,image/webp,image/heic,video/*,audio/*,text/vcard,text/x-vcard,text/plain,text/calendar,application/pdf',
    ),
  /** One request (connect to last byte). */
  MEDIA_TIMEOUT_MS: env.int(15_000).pipe(z.number().int().min(100).max(120_000)),
  /** Tries of a medium whose host is down or answers 5xx (backoff between them). */
  MEDIA_MAX_TRIES: env.int(6).pipe(z.number().int().min(1).max(50)),
  /** Addresses or CIDR ranges the SSRF rules would refuse but media may come from (tests). */
  MEDIA_ALLOWED_ADDRESSES: z
    .string()
    .default('')
    .refine(validAllowList, 'must be comma-separated IP addresses or CIDR ranges'),
  /** Extra trusted CA certificates (PEM) for media hosts: an operator's private CA, tests. */
  MEDIA_EXTRA_CA: z.string().default(''),
  /** How long a `Message.media.storedUrl` link works. */
  MEDIA_LINK_TTL_SECONDS: env.int(900).pipe(z.number().int().min(10).max(86_400)),
  /**
   * How long the links in a MEDIA_STORED event work: consumers fetch them later than a reader
   * of the API (ghl-sync hands them to GoHighLevel, which copies the files, possibly after
   * retries).
   */
  MEDIA_EVENT_LINK_TTL_SECONDS: env.int(86_400).pipe(z.number().int().min(60).max(604_800)),
};
