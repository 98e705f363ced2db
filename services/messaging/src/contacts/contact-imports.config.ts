import { env, secret, z } from '@switchboard/config';

/** CSV contact imports' settings (spread into messaging's config). */
export const contactImportsConfigShape = {
  /**
   * Sensitive. The HMAC key of the platform's public links (here: import upload and report
   * links; compliance signs its downloads with it too, under another purpose). At least 32
   * characters; required outside development mode (NODE_ENV=development or test use a fixed,
   * public stand-in).
   */
  DOWNLOAD_SIGNING_SECRET: secret(z.string().min(32).optional()),
  /** The public entry point links name (the gateway, or the ingress in front of it). */
  PUBLIC_DOWNLOAD_BASE_URL: z.string().url().default('http://localhost:4000'),
  /** How long an upload link works (it works once) and a report link works. */
  CONTACT_IMPORT_LINK_TTL_SECONDS: env.int(3600).pipe(
    z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400),
  ),
  /** Rows per transaction of an import (one multi-row upsert each). */
  CONTACT_IMPORT_BATCH_SIZE: env.int(2000).pipe(z.number().int().min(1).max(10_000)),
};

/** Only for development and tests: a fixed key anyone can read is no key. */
export const DEVELOPMENT_LINK_SECRET = 'switchboard-development-download-signing-secret';
