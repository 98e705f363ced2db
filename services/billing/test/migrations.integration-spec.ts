// The schema as the service's application role sees it: tenant isolation everywhere, an
// immutable wallet ledger whose sum is the balance, by construction.
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { PRIVACY_GLOBAL_TABLES } from '@switchboard/privacy';
import { RETENTION_GLOBAL_TABLES } from '@switchboard/retention';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '@switchboard/testing';
import { migrate } from '../src/database';

/**
 * The billing tables that are not tenant tables, reviewed. A new table is a tenant table
 * (org_id + RLS) unless it is added here with its reason.
 */
const GLOBAL_TABLES: Record<string, string> = {
  tenants:
    'ids of the organizations billing holds something for, so scheduled jobs know whose transactions to open',
  plans: "the platform's plan catalog, the same for every organization (platform admins manage it)",
  prices: "the platform's price book, the same for every organization (platform admins manage it)",
  stripe_events:
    'ids of the Stripe webhook events applied (deduplication); the event names no tenant before it is read',
  ...PRIVACY_GLOBAL_TABLES,
  ...RETENTION_GLOBAL_TABLES,
};

describe('billing migrations', () => {
  let db: MigratedTestDatabase;
  let app: Client;

  beforeAll(async () => {
    db = await createMigratedTestDatabase('billing', migrate);
    app = db.app;
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function inTenant<T>(org: string, work: () => Promise<T>): Promise<T> {
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('app.org_id', $1, true)`, [org]);
      const result = await work();
      await app.query('COMMIT');
      return result;
    } catch (error) {
      await app.query('ROLLBACK');
      throw error;
    }
  }

  const entry = (org: string, kind: string, amount: number, held: number, reference: string) =>
    app.query(
      `INSERT INTO wallet_entries (org_id, id, kind, amount_minor, held_minor, currency, reference, created_at)
       VALUES ($1, $2, $3, $4, $5, 'USD', $6, now())`,
      [org, randomUUID(), kind, amount, held, reference],
    );

  it('isolates every tenant table', async () => {
    expect(await db.isolationProblems(GLOBAL_TABLES)).toEqual([]);
  });

  it('keeps the balance equal to the sum of an append-only ledger', async () => {
    const org = randomUUID();
    await inTenant(org, async () => {
      // A wallet starts empty whatever the insert says.
      await app.query(
        `INSERT INTO wallets (org_id, currency, balance_minor, low_balance_threshold_minor) VALUES ($1, 'USD', 1000000, 0)`,
        [org],
      );
      await entry(org, 'TOPUP', 1000, 0, 'cs_1');
      await entry(org, 'RESERVATION', 0, 30, 'm1');
      await entry(org, 'CAPTURE', -30, -30, 'm1');
      await entry(org, 'RESERVATION', 0, 20, 'm2');
      await entry(org, 'RELEASE', 0, -20, 'm2');
    });
    const [wallet] = (
      await inTenant(org, () =>
        app.query(
          `SELECT w.balance_minor::int AS balance, w.held_minor::int AS held,
             (SELECT sum(amount_minor)::int FROM wallet_entries) AS sum_amount,
             (SELECT sum(held_minor)::int FROM wallet_entries) AS sum_held
           FROM wallets w`,
        ),
      )
    ).rows;
    expect(wallet).toEqual({ balance: 970, held: 0, sum_amount: 970, sum_held: 0 });

    await expect(
      inTenant(org, () => app.query(`UPDATE wallets SET balance_minor = 5`)),
    ).rejects.toThrow(/permission denied/);
    await expect(
      inTenant(org, () => app.query(`UPDATE wallet_entries SET amount_minor = 5`)),
    ).rejects.toThrow(/permission denied/);
    await expect(inTenant(org, () => app.query(`DELETE FROM wallet_entries`))).rejects.toThrow(
      /permission denied/,
    );
    // Entries that do not balance (a capture unlike its hold, a negative top-up) are refused.
    await expect(inTenant(org, () => entry(org, 'CAPTURE', -30, -10, 'm3'))).rejects.toThrow(
      /check constraint/,
    );
    await expect(inTenant(org, () => entry(org, 'TOPUP', -5, 0, 'cs_2'))).rejects.toThrow(
      /check constraint/,
    );
    // One entry per kind and reference.
    await expect(inTenant(org, () => entry(org, 'TOPUP', 1000, 0, 'cs_1'))).rejects.toThrow(
      /duplicate key/,
    );
  });

  it('shows no wallet without a tenant, and none of another tenant', async () => {
    const org = randomUUID();
    await inTenant(org, () =>
      app.query(
        `INSERT INTO wallets (org_id, currency, low_balance_threshold_minor) VALUES ($1, 'USD', 0)`,
        [org],
      ),
    );
    expect((await app.query('SELECT * FROM wallets')).rows).toEqual([]);
    expect((await inTenant(randomUUID(), () => app.query('SELECT * FROM wallets'))).rows).toEqual(
      [],
    );
  });
});
