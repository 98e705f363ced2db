// Billing end to end, through the gateway: a new organization is on the free plan (100 segments
// a month); once its sends use the allowance up, the next send is REJECTED QUOTA_EXCEEDED — the
// test measures how long after the allowance ran out that happens and how many segments got
// through meanwhile (the overshoot), and how long until messaging holds billing's state that
// says so (the projection lag) — and billing's ledger counts every accepted segment exactly once:
// the allowance, then the overshoot as wallet reservations. It waits on conditions only: the
// platform runs on a broker of its own (e2e/global-setup.ts), so the services' consumer groups
// have no history of earlier runs to work through first.
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { findCardData, sqlAsSuperuser, type GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { customer, until } from './support';
import { paidTopUpSession, postStripeEvent, stripeCustomerOf, stripeEvent } from './stripe-events';

interface MessageView {
  id: string;
  status: string;
  segments: number | null;
  error: { code: string } | null;
}

async function send(api: GraphQLClient, to: string, body: string): Promise<MessageView> {
  const { sendMessage } = await api.expectData<{ sendMessage: MessageView }>(
    `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id status segments error { code } } }`,
    { input: { to, body } },
  );
  return sendMessage;
}

/** Messaging's projection of the organization's quota (libs/quota), read as its database owner. */
async function messagingQuota(
  orgId: string,
): Promise<{ version: number; remaining: number; used: number } | undefined> {
  const db = new Client({ connectionString: platform().process('messaging').databaseOwnerUrl });
  await db.connect();
  try {
    await db.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    const { rows } = await db.query<{ version: number; remaining: number; used: number }>(
      `SELECT version::int, remaining_included::int AS remaining, local_included_used::int AS used
         FROM quota_states WHERE org_id = $1`,
      [orgId],
    );
    return rows[0];
  } finally {
    await db.end();
  }
}

describe('billing', () => {
  it('serves the plan, the price book and the wallet through the gateway', async () => {
    const { api } = await customer('billing-plan');
    const data = await api.expectData<{
      myPlan: { plan: { id: string; includedSegments: string } };
      price: { country: string; price: { currencyCode: string; amountMinor: string } };
      wallet: { balance: { amountMinor: string } };
    }>(
      `{ myPlan { plan { id includedSegments } } price(country: "US", route: DEVICE) { country price { currencyCode amountMinor } } wallet { balance { amountMinor } } }`,
    );
    expect(data).toEqual({
      myPlan: { plan: { id: 'free', includedSegments: '100' } },
      price: { country: '*', price: { currencyCode: 'USD', amountMinor: '1' } },
      wallet: { balance: { amountMinor: '0' } },
    });
  });

  it('refuses sends past the free allowance and meters every accepted segment once', async () => {
    const { api, orgId } = await customer('billing');
    const plan = await api.expectData<{
      myPlan: { plan: { id: string; includedSegments: string } };
      price: { price: { amountMinor: string } };
    }>(
      `{ myPlan { plan { id includedSegments } } price(country: "US", route: DEVICE) { price { amountMinor } } }`,
    );
    expect(plan.myPlan.plan).toEqual({ id: 'free', includedSegments: '100' });
    expect(plan.price.price.amountMinor).toBe('1');
    // Caught up: messaging holds billing's first state of the new organization.
    await until(
      "messaging's projection of the new organization's quota",
      async () => (await messagingQuota(orgId))?.remaining === 100,
      60_000,
    );

    // 10 messages of 10 segments (GSM-7, 153 characters a segment): the allowance.
    const long = 'A'.repeat(153 * 10);
    let accepted = 0;
    for (let i = 0; i < 10; i++) {
      const message = await send(api, '+14155550142', long);
      expect(message.status).toBe('QUEUED');
      accepted += message.segments ?? 0;
    }
    expect(accepted).toBe(100);
    const exhaustedAt = Date.now();

    // Then one-segment sends until the quota projection refuses one.
    let overshoot = 0;
    const refused = await until(
      'a send refused for quota',
      async () => {
        const message = await send(api, '+14155550142', 'one more');
        if (message.status === 'REJECTED') return message;
        overshoot += message.segments ?? 0;
        return undefined;
      },
      60_000,
    );
    const refusedAfterMs = Date.now() - exhaustedAt;
    expect(refused.error?.code).toBe('QUOTA_EXCEEDED');

    // The ledger: every accepted segment once; what went past the allowance is held on the wallet.
    await until(
      'usage to be metered',
      async () => {
        const { usage, wallet } = await api.expectData<{
          usage: { lines: { segments: number; includedSegments: number }[] };
          wallet: { held: { amountMinor: string } };
        }>(`{ usage { lines { segments includedSegments } } wallet { held { amountMinor } } }`);
        const segments = usage.lines.reduce((sum, l) => sum + l.segments, 0);
        const included = usage.lines.reduce((sum, l) => sum + l.includedSegments, 0);
        return (
          segments === 100 + overshoot &&
          included === 100 &&
          wallet.held.amountMinor === String(overshoot)
        );
      },
      60_000,
    );
    // The projection lag: billing metered it all and messaging holds the state that says so
    // (nothing left, no local debit); a send is then refused on billing's state alone.
    await until(
      "messaging's projection to hold billing's state with the allowance used up",
      async () => {
        const q = await messagingQuota(orgId);
        return q?.remaining === 0 && q.used === 0;
      },
      60_000,
    );
    const projectionLagMs = Date.now() - exhaustedAt;
    expect((await send(api, '+14155550142', 'after the round trip')).error?.code).toBe(
      'QUOTA_EXCEEDED',
    );
    console.log(
      `quota: first send refused ${refusedAfterMs} ms after the allowance ran out, overshoot ` +
        `${overshoot} segment(s); messaging held billing's used-up state ${projectionLagMs} ms after`,
    );
  }, 180_000);

  it('keeps card data out of every database and every log through a Stripe flow', async () => {
    const p = platform();
    const { api, orgId } = await customer('card-data');
    // A top-up through Checkout that saves the card, at the local Stripe.
    const { createTopUpCheckout } = await api.expectData<{ createTopUpCheckout: { id: string } }>(
      `mutation { createTopUpCheckout(amountMinor: "2500", saveCard: true) { id } }`,
    );
    const customerId = await stripeCustomerOf(orgId);
    // Stripe's webhooks — the card's with more than Stripe ever sends (a number, a CVC, the
    // holder): none of it may be kept or logged.
    const pan = ['4000', '0566', '5566', '5556'].join('');
    const events = [
      {
        type: 'checkout.session.completed',
        object: paidTopUpSession({
          id: createTopUpCheckout.id,
          orgId,
          customerId,
          amountMinor: 2500,
        }),
      },
      {
        type: 'payment_method.attached',
        object: {
          id: 'pm_card_debit',
          object: 'payment_method',
          type: 'card',
          customer: customerId,
          billing_details: { name: 'Card Holder', email: null },
          card: {
            brand: 'visa',
            last4: '5556',
            exp_month: 11,
            exp_year: 2032,
            number: pan,
            cvc: '314',
            fingerprint: 'fp_e2e',
          },
        },
      },
    ];
    for (const [i, e] of events.entries()) {
      const payload = stripeEvent(e.type, e.object, `evt_e2e_${orgId.slice(0, 8)}_${i}`);
      // The scan below would see what this sends.
      if (i === 1) expect(findCardData(payload)).toEqual(expect.arrayContaining(['PAN 4000…5556']));
      await postStripeEvent(payload);
    }
    const seen = await until('the top-up and the card', async () => {
      const data = await api.expectData<{
        wallet: { balance: { amountMinor: string } };
        paymentMethods: { last4: string; brand: string }[];
        invoices: { edges: unknown[] };
      }>(
        `{ wallet { balance { amountMinor } } paymentMethods { brand last4 } invoices { edges { cursor } } }`,
      );
      return data.wallet.balance.amountMinor === '2500' && data;
    });
    expect(seen.paymentMethods).toEqual([{ brand: 'visa', last4: '5556' }]);

    // Every table of every service's database, as the superuser (row-level security lifted).
    const databases = new Set(
      p.processes.flatMap((x) => (x.databaseUrl ? [new URL(x.databaseUrl).pathname.slice(1)] : [])),
    );
    const findings: Record<string, string[]> = {};
    for (const database of databases) {
      const tables = await sqlAsSuperuser<{ name: string }>(
        database,
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
      );
      for (const { name } of tables) {
        // Binary columns (the outbox's protobuf payloads) as their bytes, not as hex digits.
        const dump = JSON.stringify(
          await sqlAsSuperuser(database, `SELECT * FROM "${name}"`),
          (_key, value: unknown) =>
            (value as { type?: string })?.type === 'Buffer'
              ? Buffer.from((value as { data: number[] }).data).toString('latin1')
              : value,
        );
        const found = findCardData(dump);
        if (dump.includes('Card Holder')) found.push('the card holder');
        if (found.length) findings[`${database}.${name}`] = found;
      }
    }
    // And every log of the platform's processes.
    for (const file of new Set(p.processes.map((x) => x.logFile))) {
      const text = readFileSync(file, 'utf8');
      const found = findCardData(text);
      if (text.includes('Card Holder')) found.push('the card holder');
      if (found.length) findings[file] = found;
    }
    expect(findings).toEqual({});
    expect(databases.size).toBeGreaterThanOrEqual(5);
  });
});
