import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable, grantToApp } from '@switchboard/tenancy';
import { TOKEN_HASH_SETTING, USER_SETTING } from '../common/db-context';

const userPredicate = `user_id = NULLIF(current_setting('${USER_SETTING}', true), '')::uuid`;
const tokenHashPredicate = `token_hash = NULLIF(current_setting('${TOKEN_HASH_SETTING}', true), '')`;

/**
 * The accounts data model.
 *
 * Tenant tables (an `org_id`, row-level security forced, created with createTenantTable):
 * memberships, sessions, refresh_tokens, api_tokens, invitations. Besides the tenant policy,
 * some carry narrow extra policies (policies are permissive, so they widen by OR):
 *
 * - `user_self` (memberships, sessions, refresh_tokens): the signed-in user's own rows across
 *   organizations (`app.user_id`, set by the service only after authenticating the user):
 *   listing "my organizations", choosing the organization at login, logging out everywhere.
 * - `by_token_hash` (SELECT only; refresh_tokens, api_tokens, invitations): the one row whose
 *   secret's hash the caller presents (`app.token_hash`). Knowing the secret is the capability;
 *   the row then names its tenant and the rest of the work runs as that tenant.
 *
 * Cross-tenant tables, deliberately without `org_id` and without row-level security:
 *
 * - organizations: the tenant registry itself. A user's organizations are found at login before
 *   any tenant is chosen, slugs are unique across tenants, the purge job and platform admins
 *   look across tenants. Its id *is* the tenant id; every read of another tenant's organization
 *   is refused in the service (the principal's organization is the only one it serves, admins
 *   aside, whose reads are audited).
 * - users: a person belongs to several organizations (or none, between invitations); login
 *   looks a user up by email before any tenant is known. Tenant-scoped reads of users always go
 *   through the RLS'd memberships.
 * - user_tokens (email verification, password reset): belong to a user, not an organization.
 * - signing_keys: the platform's JWT keys, one set for all tenants.
 * - login_attempts: throttling by account and IP, before any tenant is known; holds a hash of
 *   the email, never the address.
 */
export class AccountsSchema1700000000001 implements MigrationInterface {
  name = 'AccountsSchema1700000000001';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();

    await runner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$'),
        timezone text NOT NULL,
        default_country text NOT NULL CHECK (default_country ~ '^[A-Z]{2}$'),
        status text NOT NULL DEFAULT 'ACTIVE'
          CHECK (status IN ('ACTIVE', 'PENDING_DELETION', 'DELETED')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        closed_at timestamptz,
        purge_at timestamptz,
        deleted_at timestamptz,
        CHECK (status <> 'PENDING_DELETION' OR (closed_at IS NOT NULL AND purge_at IS NOT NULL)),
        CHECK (status <> 'DELETED' OR deleted_at IS NOT NULL)
      )`);
    // A slug is free again once its organization is purged.
    await runner.query(
      `CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug) WHERE status <> 'DELETED'`,
    );
    await runner.query(
      `CREATE INDEX organizations_purge_due ON organizations (purge_at) WHERE status = 'PENDING_DELETION'`,
    );
    await grantToApp(runner, 'organizations', app);

    await runner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        email text NOT NULL CHECK (email = lower(email)),
        display_name text NOT NULL DEFAULT '',
        password_hash text,
        password_changed_at timestamptz,
        email_verified_at timestamptz,
        is_platform_admin boolean NOT NULL DEFAULT false,
        google_subject text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // Emails are stored lower-cased; the index on lower() keeps that true for any writer.
    await runner.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);
    await runner.query(
      `CREATE UNIQUE INDEX users_google_subject_key ON users (google_subject) WHERE google_subject IS NOT NULL`,
    );
    await grantToApp(runner, 'users', app);

    await createTenantTable(
      runner,
      'memberships',
      `user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
       role text NOT NULL CHECK (role IN ('CUSTOMER', 'USER')),
       created_at timestamptz NOT NULL,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, user_id),
       FOREIGN KEY (org_id) REFERENCES organizations (id)`,
      app,
    );
    await runner.query(`CREATE INDEX memberships_user ON memberships (user_id)`);
    await runner.query(
      `CREATE POLICY user_self ON memberships FOR SELECT USING (${userPredicate})`,
    );

    await createTenantTable(
      runner,
      'sessions',
      `id uuid PRIMARY KEY,
       user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
       created_at timestamptz NOT NULL,
       last_refreshed_at timestamptz,
       revoked_at timestamptz,
       revoked_reason text,
       FOREIGN KEY (org_id) REFERENCES organizations (id)`,
      app,
    );
    await runner.query(`CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL`);
    await runner.query(
      `CREATE POLICY user_self ON sessions USING (${userPredicate}) WITH CHECK (${userPredicate})`,
    );

    await createTenantTable(
      runner,
      'refresh_tokens',
      `id uuid PRIMARY KEY,
       session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
       user_id uuid NOT NULL,
       token_hash text NOT NULL UNIQUE,
       created_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL,
       rotated_at timestamptz,
       revoked_at timestamptz`,
      app,
    );
    await runner.query(`CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id)`);
    await runner.query(
      `CREATE POLICY user_self ON refresh_tokens USING (${userPredicate}) WITH CHECK (${userPredicate})`,
    );
    await runner.query(
      `CREATE POLICY by_token_hash ON refresh_tokens FOR SELECT USING (${tokenHashPredicate})`,
    );

    await createTenantTable(
      runner,
      'api_tokens',
      `id uuid PRIMARY KEY,
       name text NOT NULL,
       prefix text NOT NULL,
       token_hash text NOT NULL UNIQUE,
       scopes text[] NOT NULL,
       created_by uuid REFERENCES users (id) ON DELETE SET NULL,
       created_at timestamptz NOT NULL,
       expires_at timestamptz,
       last_used_at timestamptz,
       use_count bigint NOT NULL DEFAULT 0,
       revoked_at timestamptz,
       revoked_by uuid,
       FOREIGN KEY (org_id) REFERENCES organizations (id)`,
      app,
    );
    await runner.query(`CREATE INDEX api_tokens_org ON api_tokens (org_id, created_at)`);
    await runner.query(
      `CREATE POLICY by_token_hash ON api_tokens FOR SELECT USING (${tokenHashPredicate})`,
    );

    await createTenantTable(
      runner,
      'invitations',
      `id uuid PRIMARY KEY,
       email text NOT NULL CHECK (email = lower(email)),
       role text NOT NULL CHECK (role IN ('CUSTOMER', 'USER')),
       token_hash text NOT NULL UNIQUE,
       invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
       created_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL,
       accepted_at timestamptz,
       accepted_by uuid,
       revoked_at timestamptz,
       FOREIGN KEY (org_id) REFERENCES organizations (id)`,
      app,
    );
    await runner.query(
      `CREATE INDEX invitations_pending ON invitations (org_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL`,
    );
    await runner.query(
      `CREATE POLICY by_token_hash ON invitations FOR SELECT USING (${tokenHashPredicate})`,
    );

    await runner.query(`
      CREATE TABLE user_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose text NOT NULL CHECK (purpose IN ('VERIFY_EMAIL', 'PASSWORD_RESET')),
        email text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await runner.query(`CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose)`);
    await grantToApp(runner, 'user_tokens', app);

    await runner.query(`
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        algorithm text NOT NULL CHECK (algorithm = 'RS256'),
        public_jwk jsonb NOT NULL,
        private_key_encrypted bytea NOT NULL,
        created_at timestamptz NOT NULL,
        active_from timestamptz NOT NULL,
        retired_at timestamptz
      )`);
    await grantToApp(runner, 'signing_keys', app);

    await runner.query(`
      CREATE TABLE login_attempts (
        id bigserial PRIMARY KEY,
        account_key text NOT NULL,
        ip text NOT NULL,
        succeeded boolean NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await runner.query(
      `CREATE INDEX login_attempts_account ON login_attempts (account_key, created_at)`,
    );
    await runner.query(`CREATE INDEX login_attempts_ip ON login_attempts (ip, created_at)`);
    await grantToApp(runner, 'login_attempts', app);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE login_attempts, signing_keys, user_tokens, invitations, api_tokens,
                  refresh_tokens, sessions, memberships, users, organizations`,
    );
  }
}
