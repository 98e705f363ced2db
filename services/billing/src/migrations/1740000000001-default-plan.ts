import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The default plan every new organization starts on (`free`: 100 included segments a month,
 * 1 device, no overage: past the allowance the wallet pays) and a starting price book (device
 * route 1 cent per segment anywhere; carrier 2 cents; MMS 5 cents), effective from the epoch,
 * and `postpaid` (see below).
 * Platform admins change both over GraphQL afterwards.
 */
export class DefaultPlan1740000000001 implements MigrationInterface {
  name = 'DefaultPlan1740000000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `INSERT INTO plans (id, name, currency, monthly_price_minor, included_segments, device_limit,
         routes, overage_allowed, overage_price_minor, refund_failed, version, updated_at, updated_by)
       VALUES ('free', 'Free', 'USD', 0, 100, 1, ARRAY['DEVICE','CARRIER','GHL'], false, 0, true, 1,
         now(), 'migration')`,
    );
    // Post-paid: no allowance, every segment charged as overage at the price book's price,
    // nothing refused (DEFAULT_PLAN_ID=postpaid for load tests; invoiced customers).
    await runner.query(
      `INSERT INTO plans (id, name, currency, monthly_price_minor, included_segments, device_limit,
         routes, overage_allowed, overage_price_minor, refund_failed, version, updated_at, updated_by)
       VALUES ('postpaid', 'Post-paid', 'USD', 0, 0, 100, ARRAY['DEVICE','CARRIER','GHL'], true, 0,
         true, 1, now(), 'migration')`,
    );
    const prices: [string, string, number][] = [
      ['DEVICE', 'SMS', 1],
      ['CARRIER', 'SMS', 2],
      ['GHL', 'SMS', 2],
      ['DEVICE', 'MMS', 5],
      ['CARRIER', 'MMS', 5],
      ['GHL', 'MMS', 5],
    ];
    for (const [route, kind, amount] of prices) {
      await runner.query(
        `INSERT INTO prices (id, country, route, kind, currency, amount_minor, effective_from,
           created_at, created_by, reason)
         VALUES (gen_random_uuid(), '*', $1, $2, 'USD', $3, 'epoch', now(), 'migration', 'default price book')`,
        [route, kind, amount],
      );
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DELETE FROM prices WHERE created_by = 'migration'`);
    await runner.query(`DELETE FROM plans WHERE id IN ('free', 'postpaid')`);
  }
}
