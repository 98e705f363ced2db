import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

const ROUTES = `'DEVICE','CARRIER','GHL'`;

/**
 * Billing: the platform's plans and price book (global: the platform's catalog, managed by
 * platform admins), and per organization its plan, usage ledger, period counters, wallet and
 * Stripe references. Money is always integer minor units (bigint) with a currency.
 *
 * The wallet's balance is the sum of its ledger, by construction: `wallet_entries` is
 * append-only for the application role (SELECT, INSERT), and only the trigger
 * `wallet_entries_apply` (SECURITY DEFINER) moves `wallets.balance_minor` / `held_minor` by the
 * entry's amounts; the application role cannot write those columns.
 */
export class BillingCore1740000000000 implements MigrationInterface {
  name = 'BillingCore1740000000000';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();

    // Not tenant data: the organizations billing knows (scheduled jobs, the quota publisher).
    await runner.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await runner.query(`GRANT SELECT, INSERT, UPDATE (closed_at), DELETE ON tenants TO ${app}`);

    // The platform's plans (global: one catalog for every organization).
    await runner.query(`
      CREATE TABLE plans (
        id text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,39}$'),
        name text NOT NULL,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        monthly_price_minor bigint NOT NULL CHECK (monthly_price_minor >= 0),
        included_segments bigint NOT NULL CHECK (included_segments >= 0),
        device_limit integer NOT NULL CHECK (device_limit >= 0),
        routes text[] NOT NULL,
        overage_allowed boolean NOT NULL,
        overage_price_minor bigint NOT NULL CHECK (overage_price_minor >= 0),
        refund_failed boolean NOT NULL,
        stripe_price_id text,
        version bigint NOT NULL CHECK (version > 0),
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL
      )`);
    await runner.query(`GRANT SELECT, INSERT, UPDATE ON plans TO ${app}`);

    // The price book (global): price per segment by destination country ('*': any other) and
    // route, SMS and MMS apart, in effective-dated versions that are never changed (a message
    // is charged at the version in force when it was accepted).
    await runner.query(`
      CREATE TABLE prices (
        id uuid PRIMARY KEY,
        country text NOT NULL CHECK (country ~ '^([A-Z]{2}|\\*)$'),
        route text NOT NULL CHECK (route IN (${ROUTES})),
        kind text NOT NULL CHECK (kind IN ('SMS','MMS')),
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
        effective_from timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        created_by text NOT NULL,
        reason text NOT NULL,
        UNIQUE (country, route, kind, effective_from)
      )`);
    await runner.query(`GRANT SELECT, INSERT ON prices TO ${app}`);

    // The organization's plan; a downgrade waits in pending_plan_id for the period boundary.
    await createTenantTable(
      runner,
      'organization_plans',
      `plan_id text NOT NULL REFERENCES plans (id),
       pending_plan_id text REFERENCES plans (id),
       stripe_customer_id text,
       stripe_subscription_id text,
       subscription_status text,
       subscription_event_at timestamptz,
       quota_version bigint NOT NULL DEFAULT 0,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id)`,
      app,
    );

    // Per organization and calendar month (UTC): included segments used and the quota version.
    await createTenantTable(
      runner,
      'billing_periods',
      `period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
       included_used bigint NOT NULL DEFAULT 0 CHECK (included_used >= 0),
       PRIMARY KEY (org_id, period)`,
      app,
    );

    // The usage ledger: one row per accepted message (the primary key makes metering exactly
    // once), priced when it was accepted; its state moves ACCEPTED → CAPTURED or REFUNDED once.
    await createTenantTable(
      runner,
      'usage_entries',
      `message_id uuid NOT NULL,
       period text NOT NULL,
       accepted_at timestamptz NOT NULL,
       route text NOT NULL CHECK (route IN (${ROUTES})),
       country text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('SMS','MMS')),
       segments integer NOT NULL CHECK (segments > 0),
       currency text NOT NULL,
       unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
       price_id uuid,
       included_segments integer NOT NULL CHECK (included_segments >= 0),
       overage_segments integer NOT NULL CHECK (overage_segments >= 0),
       overage_amount_minor bigint NOT NULL CHECK (overage_amount_minor >= 0),
       wallet_segments integer NOT NULL CHECK (wallet_segments >= 0),
       wallet_amount_minor bigint NOT NULL CHECK (wallet_amount_minor >= 0),
       state text NOT NULL CHECK (state IN ('ACCEPTED','CAPTURED','REFUNDED')),
       left_platform boolean NOT NULL DEFAULT false,
       settled_at timestamptz,
       CHECK (included_segments + overage_segments + wallet_segments = segments),
       PRIMARY KEY (org_id, message_id)`,
      app,
    );
    await runner.query(`REVOKE DELETE ON usage_entries FROM ${app}`);
    await runner.query(`CREATE INDEX usage_entries_period ON usage_entries (org_id, period)`);

    // The wallet: its balances move only through the ledger's trigger.
    await createTenantTable(
      runner,
      'wallets',
      `currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
       balance_minor bigint NOT NULL DEFAULT 0,
       held_minor bigint NOT NULL DEFAULT 0 CHECK (held_minor >= 0),
       low_balance_threshold_minor bigint NOT NULL CHECK (low_balance_threshold_minor >= 0),
       low_balance_alerted boolean NOT NULL DEFAULT false,
       version bigint NOT NULL DEFAULT 0,
       PRIMARY KEY (org_id)`,
      app,
    );
    await runner.query(`REVOKE UPDATE, DELETE ON wallets FROM ${app}`);
    await runner.query(
      `GRANT UPDATE (low_balance_threshold_minor, low_balance_alerted) ON wallets TO ${app}`,
    );
    await runner.query(`
      CREATE FUNCTION wallets_start_empty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.balance_minor := 0;
        NEW.held_minor := 0;
        RETURN NEW;
      END $$`);
    await runner.query(
      `CREATE TRIGGER wallets_start_empty BEFORE INSERT ON wallets FOR EACH ROW EXECUTE FUNCTION wallets_start_empty()`,
    );

    // The immutable wallet ledger. amount_minor moves the balance, held_minor the reservations:
    // TOPUP (+amount), RESERVATION (+held), CAPTURE (-amount, -held), RELEASE (-held),
    // ADJUSTMENT (±amount, a platform admin's correction). One entry per (kind, reference).
    await createTenantTable(
      runner,
      'wallet_entries',
      `id uuid NOT NULL,
       seq bigserial NOT NULL,
       kind text NOT NULL CHECK (kind IN ('TOPUP','RESERVATION','CAPTURE','RELEASE','ADJUSTMENT')),
       amount_minor bigint NOT NULL,
       held_minor bigint NOT NULL,
       currency text NOT NULL,
       reference text NOT NULL,
       description text NOT NULL DEFAULT '',
       created_at timestamptz NOT NULL,
       CHECK (
         (kind = 'TOPUP' AND amount_minor > 0 AND held_minor = 0) OR
         (kind = 'RESERVATION' AND amount_minor = 0 AND held_minor > 0) OR
         (kind = 'CAPTURE' AND amount_minor < 0 AND held_minor = amount_minor) OR
         (kind = 'RELEASE' AND amount_minor = 0 AND held_minor < 0) OR
         (kind = 'ADJUSTMENT' AND amount_minor <> 0 AND held_minor = 0)
       ),
       PRIMARY KEY (org_id, id),
       UNIQUE (org_id, kind, reference)`,
      app,
    );
    await runner.query(`REVOKE UPDATE, DELETE ON wallet_entries FROM ${app}`);
    await runner.query(`CREATE INDEX wallet_entries_seq ON wallet_entries (org_id, seq DESC)`);
    await runner.query(`
      CREATE FUNCTION wallet_entries_apply() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        UPDATE wallets SET balance_minor = balance_minor + NEW.amount_minor,
                           held_minor = held_minor + NEW.held_minor,
                           version = version + 1
         WHERE org_id = NEW.org_id AND currency = NEW.currency;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'no % wallet for organization %', NEW.currency, NEW.org_id;
        END IF;
        RETURN NEW;
      END $$`);
    await runner.query(
      `CREATE TRIGGER wallet_entries_apply AFTER INSERT ON wallet_entries FOR EACH ROW EXECUTE FUNCTION wallet_entries_apply()`,
    );

    // Stripe webhooks, by event id: a redelivery is recognized and does nothing.
    await runner.query(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        created_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    await runner.query(`GRANT SELECT, INSERT ON stripe_events TO ${app}`);
    // Only what Stripe issues: ids, brand, last 4 digits, expiry (never a card number).
    await createTenantTable(
      runner,
      'payment_methods',
      `stripe_payment_method_id text NOT NULL,
       brand text NOT NULL,
       last4 text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
       exp_month integer NOT NULL,
       exp_year integer NOT NULL,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id, stripe_payment_method_id)`,
      app,
    );
    // Checkout Sessions this service created (the session id → organization and amount).
    await createTenantTable(
      runner,
      'checkout_sessions',
      `stripe_session_id text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('TOPUP','SUBSCRIPTION')),
       amount_minor bigint,
       currency text,
       plan_id text,
       created_at timestamptz NOT NULL,
       completed_at timestamptz,
       PRIMARY KEY (org_id, stripe_session_id)`,
      app,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(
      `DROP TABLE checkout_sessions, payment_methods, stripe_events, wallet_entries, wallets,
         usage_entries, billing_periods, organization_plans, prices, plans, tenants`,
    );
    await runner.query(`DROP FUNCTION wallet_entries_apply(), wallets_start_empty()`);
  }
}
