import { rateLimitTableMigration } from '@switchboard/rate-limit';

/**
 * Rate limits (common/rate-limits.ts): one row per request a limit let through, per (action,
 * key), in the platform limiter's table (@switchboard/rate-limit). Keys are `ip:<address>`,
 * `user:<id>`, `email:<sha256>`, `token:<sha256>`, `org:<id>` and `org:<id>:email:<sha256>`.
 *
 * Cross-tenant, deliberately without `org_id` and without row-level security, like
 * login_attempts: sign-up and password reset happen before there is any tenant, and the limits
 * per IP and per target email must count across all organizations (or an attacker would spread
 * requests over organizations they create). Per-organization limits name the organization in
 * the key; the rows are only ever counted, never shown. It holds SHA-256 hashes of emails, never
 * the addresses (the CHECK refuses any key with an `@`). Rows older than a day are pruned by the
 * housekeeping job.
 */
export const RateLimits1700000000002 = rateLimitTableMigration(1700000000002);
