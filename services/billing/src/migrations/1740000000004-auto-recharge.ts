import type { MigrationInterface, QueryRunner } from 'typeorm';
import { appRoleOf, createTenantTable } from '@switchboard/tenancy';

/**
 * Auto-recharge: per organization, an amount charged off-session to a card saved at Stripe
 * (only its Stripe id is kept here; brand, last 4 and expiry are in payment_methods) when the
 * wallet's available balance falls below `wallets.auto_recharge_below_minor` (NULL: off or
 * paused, so the check costs nothing extra on the metering path). `auto_recharge_attempts`:
 * one row per charge, at most one PENDING per organization (the partial unique index).
 */
export class AutoRecharge1740000000004 implements MigrationInterface {
  name = 'AutoRecharge1740000000004';

  async up(runner: QueryRunner): Promise<void> {
    const app = appRoleOf();
    await runner.query(`ALTER TABLE wallets ADD COLUMN auto_recharge_below_minor bigint
      CHECK (auto_recharge_below_minor > 0)`);
    await runner.query(`GRANT UPDATE (auto_recharge_below_minor) ON wallets TO ${app}`);
    await createTenantTable(
      runner,
      'auto_recharge',
      `below_minor bigint NOT NULL CHECK (below_minor > 0),
       amount_minor bigint NOT NULL CHECK (amount_minor > 0),
       stripe_payment_method_id text NOT NULL,
       status text NOT NULL CHECK (status IN ('ENABLED','PAUSED')),
       paused_reason text,
       updated_at timestamptz NOT NULL,
       PRIMARY KEY (org_id)`,
      app,
    );
    await createTenantTable(
      runner,
      'auto_recharge_attempts',
      `id uuid NOT NULL,
       amount_minor bigint NOT NULL CHECK (amount_minor > 0),
       currency text NOT NULL,
       stripe_payment_method_id text NOT NULL,
       status text NOT NULL CHECK (status IN ('PENDING','SUCCEEDED','FAILED')),
       stripe_payment_intent_id text,
       failure_code text,
       created_at timestamptz NOT NULL,
       settled_at timestamptz,
       PRIMARY KEY (org_id, id)`,
      app,
    );
    await runner.query(`REVOKE DELETE ON auto_recharge_attempts FROM ${app}`);
    await runner.query(
      `CREATE UNIQUE INDEX auto_recharge_one_in_flight ON auto_recharge_attempts (org_id)
         WHERE status = 'PENDING'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE auto_recharge_attempts, auto_recharge`);
    await runner.query(`ALTER TABLE wallets DROP COLUMN auto_recharge_below_minor`);
  }
}
