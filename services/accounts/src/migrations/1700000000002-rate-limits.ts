import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, grantToApp } from '@switchboard/tenancy';

/**
 * Rate limits of the operations that send mail or create accounts (signUp,
 * requestPasswordReset, resendVerificationEmail, inviteMember): one row per request a limit let
 * through, per (action, key). Keys are `ip:<address>`, `email:<sha256>`, `org:<id>` and
 * `org:<id>:email:<sha256>` (identity/rate-limiter.service.ts).
 *
 * Cross-tenant, deliberately without `org_id` and without row-level security, like
 * login_attempts: sign-up and password reset happen before there is any tenant, and the limits
 * per IP and per target email must count across all organizations (or an attacker would spread
 * requests over organizations they create). Per-organization limits name the organization in
 * the key; the rows are only ever counted, never shown. It holds SHA-256 hashes of emails, never
 * the addresses (the CHECK refuses any key with an `@`). Rows older than a day are pruned by the
 * housekeeping job.
 */
export class RateLimits1700000000002 implements MigrationInterface {
  name = 'RateLimits1700000000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE rate_limit_hits (
        id bigserial PRIMARY KEY,
        action text NOT NULL CHECK (action IN
          ('signUp', 'requestPasswordReset', 'resendVerificationEmail', 'inviteMember')),
        key text NOT NULL CHECK (key <> '' AND strpos(key, '@') = 0),
        created_at timestamptz NOT NULL
      )`);
    await runner.query(
      `CREATE INDEX rate_limit_hits_key ON rate_limit_hits (action, key, created_at)`,
    );
    await grantToApp(runner, 'rate_limit_hits', appRoleOf());
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE rate_limit_hits');
  }
}
