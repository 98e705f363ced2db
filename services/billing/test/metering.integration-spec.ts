// Metering exactly once: messaging.message.v1 → the usage ledger and the wallet, through the
// real consumer; duplicated events (same and new CloudEvents ids) and a replay of the topic from
// offset 0 by a new consumer group leave the ledger identical. Plans, prices, usage and the
// wallet over GraphQL; the quota on billing.quota.v1.
import { randomUUID } from 'node:crypto';
import { Topics, messagingV1, billingV1 } from '@switchboard/contracts';
import { createServiceApp } from '@switchboard/service-kit';
import { createLogger } from '@switchboard/observability';
import {
  eventually,
  expectCommittedSubgraphSchema,
  recordSqlStatements,
} from '@switchboard/testing';
import { AppModule } from '../src/app.module';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';

const K = messagingV1.MessageEventKind;
const REASON = 'integration test';
/**
 * Most statements the consumer's transaction of a message's first QUEUED event may run, START
 * TRANSACTION and COMMIT included (issue 17): raise it only with a reason.
 */
const MAX_ACCEPT_STATEMENTS = 10;

describe('billing metering', () => {
  let h: BillingHarness;

  /** Waits until `count` messages of the organization have a usage entry. */
  const meteredCount = (orgId: string, count: number) =>
    eventually(async () => {
      const [{ n }] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM usage_entries WHERE org_id = $1`,
        [orgId],
      );
      if (n < count) throw new Error(`${n} metered`);
    }, 20_000);

  beforeAll(async () => {
    h = await startBillingHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  it('serves the committed subgraph schema', async () => {
    await expectCommittedSubgraphSchema(h.graphql(), 'billing');
  });

  it('starts a new organization on the free plan with a published quota', async () => {
    const orgId = randomUUID();
    const quotas = await h.watch(Topics.billing.quota);
    await h.organizationCreated(orgId);
    const owner = await h.owner(orgId);
    const data = await owner.expectData<{
      myPlan: {
        plan: { id: string; includedSegments: string; monthlyPrice: { amountMinor: string } };
      };
      price: { country: string; price: { currencyCode: string; amountMinor: string } };
      wallet: { balance: { amountMinor: string } };
    }>(`{ myPlan { plan { id includedSegments monthlyPrice { amountMinor } } }
          price(country: "US", route: CARRIER) { country price { currencyCode amountMinor } }
          wallet { balance { amountMinor } } }`);
    expect(data.myPlan.plan).toEqual({
      id: 'free',
      includedSegments: '100',
      monthlyPrice: { amountMinor: '0' },
    });
    expect(data.price).toEqual({ country: '*', price: { currencyCode: 'USD', amountMinor: '2' } });
    expect(data.wallet.balance.amountMinor).toBe('0');
    const quota = await quotas.waitFor((e) => e.message.orgId === orgId);
    expect(quota.key).toBe(orgId);
    expect(quota.message).toMatchObject({
      planId: 'free',
      remainingIncludedSegments: 100n,
      blocked: false,
      version: 1n,
    });
    // The highest prices in force on the plan's routes: 2 cents per SMS segment, 5 per MMS.
    expect(quota.message.maxSegmentPrice?.amountMinor).toBe(2n);
    expect(quota.message.maxMmsPrice?.amountMinor).toBe(5n);
  });

  it('lets platform admins manage plans and prices, with a reason, and nobody else', async () => {
    const admin = await h.platformAdmin();
    const plan = {
      id: `pro-${randomUUID().slice(0, 6)}`,
      name: 'Pro',
      currency: 'USD',
      monthlyPriceMinor: '4900',
      includedSegments: '5000',
      deviceLimit: 5,
      routes: ['DEVICE', 'CARRIER'],
      overageAllowed: true,
      overagePriceMinor: '2',
      refundFailed: true,
    };
    const save = `mutation($input: PlanInput!, $reason: String) { adminSavePlan(input: $input, reason: $reason) { id version overagePrice { amountMinor } } }`;
    expect(await admin.errorCodes(save, { input: plan })).toEqual(['REASON_REQUIRED']);
    expect(
      await admin.errorCodes(save, {
        input: { ...plan, monthlyPriceMinor: '49.5' },
        reason: REASON,
      }),
    ).toEqual(['INVALID_PLAN']);
    expect(
      (await (await h.owner(randomUUID())).errorCodes(save, { input: plan, reason: REASON }))[0],
    ).toBe('FORBIDDEN');
    const saved = await admin.expectData<{ adminSavePlan: { version: number } }>(save, {
      input: plan,
      reason: REASON,
    });
    expect(saved.adminSavePlan.version).toBe(1);

    const add = `mutation($input: PriceInput!, $reason: String) { adminAddPrice(input: $input, reason: $reason) { country price { amountMinor } } }`;
    await admin.expectData(add, {
      input: { country: 'DE', route: 'DEVICE', kind: 'SMS', currency: 'USD', amountMinor: '7' },
      reason: REASON,
    });
    const owner = await h.owner(randomUUID());
    const found = await owner.expectData<{
      price: { country: string; price: { amountMinor: string } };
    }>(`{ price(country: "DE", route: DEVICE) { country price { amountMinor } } }`);
    expect(found.price).toEqual({ country: 'DE', price: { amountMinor: '7' } });
    expect(
      await admin.errorCodes(add, {
        input: { country: 'DE', route: 'DEVICE', kind: 'SMS', currency: 'USD', amountMinor: '-1' },
        reason: REASON,
      }),
    ).toEqual(['INVALID_PRICE']);
  });

  it('meters every message once, under duplicates and a replay from offset 0', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const admin = await h.platformAdmin();
    const planId = `tiny-${randomUUID().slice(0, 6)}`;
    await admin.expectData(
      `mutation($input: PlanInput!) { adminSavePlan(input: $input, reason: "test") { id } }`,
      {
        input: {
          id: planId,
          name: 'Tiny',
          currency: 'USD',
          monthlyPriceMinor: '0',
          includedSegments: '2',
          deviceLimit: 1,
          routes: ['DEVICE'],
          overageAllowed: false,
          overagePriceMinor: '0',
          refundFailed: true,
        },
      },
    );
    await admin.expectData(
      `mutation($org: ID!, $plan: ID!) { adminAssignPlan(orgId: $org, planId: $plan, reason: "test") { plan { id } } }`,
      { org: orgId, plan: planId },
    );

    const [m1, m2, m3] = [randomUUID(), randomUUID(), randomUUID()];
    const send = (
      messageId: string,
      kind: messagingV1.MessageEventKind,
      segments: number,
      eventId?: string,
    ) => h.messageEvent({ orgId, messageId, kind, segments, eventId });
    const firstId = randomUUID();
    await send(m1, K.QUEUED, 1, firstId); // included
    await send(m1, K.QUEUED, 1, firstId); // redelivery (same event id)
    await send(m1, K.QUEUED, 1); // a duplicate with a new event id
    // Messages are keyed by id (other partitions, no order between them): m2 after m1 is metered,
    // so the allowance goes to m1 first.
    await eventually(async () => {
      const found = await h.sql(`SELECT 1 FROM usage_entries WHERE message_id = $1`, [m1]);
      if (found.length === 0) throw new Error('m1 not metered yet');
    }, 20_000);
    await send(m2, K.QUEUED, 3); // 1 included, 2 from the wallet at 1 cent
    await send(m1, K.SENT, 1);
    await send(m2, K.FAILED, 3); // never left: refunded (the plan says so)
    await eventually(async () => {
      const found = await h.sql(`SELECT state FROM usage_entries WHERE message_id = $1`, [m2]);
      if (found[0]?.state !== 'REFUNDED') throw new Error('m2 not refunded yet');
    }, 20_000);
    await send(m3, K.QUEUED, 2); // the segment m2 gave back, and 1 cent from the wallet
    await send(m3, K.SENT, 2);
    await send(m3, K.DELIVERED, 2);
    await send(m3, K.QUEUED, 2); // late duplicate

    const ledger = async () => ({
      usage: await h.sql(
        `SELECT message_id, period, route, country, segments, unit_price_minor::int AS price,
           included_segments, wallet_segments, wallet_amount_minor::int AS wallet, state
         FROM usage_entries WHERE org_id = $1 ORDER BY message_id`,
        [orgId],
      ),
      wallet: await h.sql(
        `SELECT kind, amount_minor::int AS amount, held_minor::int AS held, reference
         FROM wallet_entries WHERE org_id = $1 ORDER BY kind, reference`,
        [orgId],
      ),
      balance: await h.sql(
        `SELECT balance_minor::int AS balance, held_minor::int AS held FROM wallets WHERE org_id = $1`,
        [orgId],
      ),
      periods: await h.sql(
        `SELECT period, included_used::int AS used FROM billing_periods WHERE org_id = $1`,
        [orgId],
      ),
    });
    const settled = await eventually(async () => {
      const snapshot = await ledger();
      const states = Object.fromEntries(snapshot.usage.map((u) => [u.message_id, u.state]));
      if (states[m1] !== 'CAPTURED' || states[m2] !== 'REFUNDED' || states[m3] !== 'CAPTURED')
        throw new Error(`not settled yet: ${JSON.stringify(states)}`);
      return snapshot;
    }, 20_000);

    expect(settled.usage).toHaveLength(3);
    expect(settled.usage.find((u) => u.message_id === m2)).toMatchObject({
      included_segments: 1,
      wallet_segments: 2,
      wallet: 2,
      state: 'REFUNDED',
    });
    expect(settled.usage.find((u) => u.message_id === m3)).toMatchObject({
      country: 'US',
      route: 'DEVICE',
      price: 1,
      included_segments: 1,
      wallet_segments: 1,
      wallet: 1,
    });
    const byKind = (
      a: { kind: string; reference: string },
      b: { kind: string; reference: string },
    ) => (a.kind + a.reference).localeCompare(b.kind + b.reference);
    expect(settled.wallet).toEqual(
      [
        { kind: 'CAPTURE', amount: -1, held: -1, reference: m3 },
        { kind: 'RELEASE', amount: 0, held: -2, reference: m2 },
        { kind: 'RESERVATION', amount: 0, held: 2, reference: m2 },
        { kind: 'RESERVATION', amount: 0, held: 1, reference: m3 },
      ].sort(byKind),
    );
    expect(settled.balance).toEqual([{ balance: -1, held: 0 }]);
    expect(settled.periods[0].used).toBe(2); // m1's segment and one of m3's; m2's was given back

    const usage = await (
      await h.owner(orgId)
    ).expectData<{
      usage: {
        lines: {
          route: string;
          country: string;
          messages: number;
          segments: number;
          refundedMessages: number;
          walletAmount: { amountMinor: string };
        }[];
      };
    }>(
      `{ usage { lines { route country messages segments refundedMessages walletAmount { amountMinor } } } }`,
    );
    expect(usage.usage.lines).toEqual([
      {
        route: 'DEVICE',
        country: 'US',
        messages: 2,
        segments: 3,
        refundedMessages: 1,
        walletAmount: { amountMinor: '1' },
      },
    ]);
    expect(
      await (await h.owner(orgId)).errorCodes(`{ usage(period: "2026-13") { period } }`),
    ).toEqual(['INVALID_PERIOD']);

    // A replay of the topic from offset 0 by a new consumer group: the same ledger.
    const group = `billing-replay-${randomUUID().slice(0, 8)}`;
    const replayConfig = { ...h.config, KAFKA_GROUP_ID: group };
    const logger = createLogger({ service: 'billing', level: 'error' });
    const replica = await createServiceApp(AppModule.forRoot(replayConfig, { logger }), {
      service: 'billing',
      config: replayConfig,
      logger,
    });
    await replica.init();
    try {
      const total = (
        await h.sql(
          `SELECT count(*)::int AS n FROM processed_events WHERE consumer_group = $1 AND topic = $2`,
          [h.config.KAFKA_GROUP_ID, Topics.messaging.message.name],
        )
      )[0].n as number;
      await eventually(async () => {
        const [{ n }] = await h.sql(
          `SELECT count(*)::int AS n FROM processed_events WHERE consumer_group = $1 AND topic = $2`,
          [group, Topics.messaging.message.name],
        );
        if ((n as number) < total) throw new Error(`replayed ${n} of ${total}`);
      }, 30_000);
      expect(await ledger()).toEqual(settled);
    } finally {
      await replica.close();
    }
  });

  it('publishes a blocked quota when the allowance and the wallet are used up', async () => {
    const orgId = randomUUID();
    const quotas = await h.watch(Topics.billing.quota);
    await h.organizationCreated(orgId);
    const admin = await h.platformAdmin();
    const planId = `one-${randomUUID().slice(0, 6)}`;
    await admin.expectData(
      `mutation($input: PlanInput!) { adminSavePlan(input: $input, reason: "test") { id } }`,
      {
        input: {
          id: planId,
          name: 'One',
          currency: 'USD',
          monthlyPriceMinor: '0',
          includedSegments: '1',
          deviceLimit: 1,
          routes: ['DEVICE'],
          overageAllowed: false,
          overagePriceMinor: '0',
          refundFailed: true,
        },
      },
    );
    await admin.expectData(
      `mutation($org: ID!, $plan: ID!) { adminAssignPlan(orgId: $org, planId: $plan, reason: "test") { plan { id } } }`,
      { org: orgId, plan: planId },
    );
    const acceptedAt = Date.now();
    await h.messageEvent({ orgId, messageId: randomUUID(), kind: K.QUEUED, segments: 1 });
    const blocked = await quotas.waitFor((e) => e.message.orgId === orgId && e.message.blocked);
    // The metering round trip: the accepted message's event → ledger → quota on the topic.
    console.log(`metering → blocked quota published: ${Date.now() - acceptedAt} ms`);
    expect(blocked.message).toMatchObject({
      planId,
      remainingIncludedSegments: 0n,
      blockReason: billingV1.QuotaBlockReason.QUOTA_EXCEEDED,
    });
    expect(blocked.message.walletAvailable?.amountMinor).toBe(0n);
  });

  it('publishes no quota per metered message on a plan that allows overage', async () => {
    // Every send of such a plan is allowed whatever its allowance or wallet: a quota per message
    // (and messaging's transaction to apply it) would change no decision.
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const admin = await h.platformAdmin();
    await admin.expectData(
      `mutation($org: ID!, $plan: ID!) { adminAssignPlan(orgId: $org, planId: $plan, reason: "test") { plan { id } } }`,
      { org: orgId, plan: 'postpaid' },
    );
    const quotaRows = async () =>
      (
        await h.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE topic = $1 AND record_key = $2`,
          [Topics.billing.quota.name, orgId],
        )
      )[0].n;
    const published = await quotaRows(); // the organization's first quota, the plan change's
    expect(published).toBeGreaterThanOrEqual(1);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const messageId of ids) await h.messageEvent({ orgId, messageId, kind: K.QUEUED });
    await h.messageEvent({ orgId, messageId: ids[0], kind: K.FAILED });
    await eventually(async () => {
      const [{ n, refunded }] = await h.sql<{ n: number; refunded: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'REFUNDED')::int AS refunded
           FROM usage_entries WHERE org_id = $1`,
        [orgId],
      );
      if (n < ids.length || refunded < 1) throw new Error(`${n} metered, ${refunded} refunded`);
    }, 20_000);
    // The ledger moved (in the transactions that would have written the quota): no quota.
    expect(await quotaRows()).toBe(published);
  });

  it('charges a message with media as one MMS at the MMS price, outside the allowance', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const sms = randomUUID();
    const mms = randomUUID();
    const twilio = randomUUID();
    await h.messageEvent({ orgId, messageId: sms, kind: K.QUEUED, segments: 2 });
    await h.messageEvent({ orgId, messageId: mms, kind: K.QUEUED, segments: 3, mediaCount: 2 });
    await h.messageEvent({
      orgId,
      messageId: twilio,
      kind: K.QUEUED,
      segments: 1,
      mediaCount: 1,
      route: messagingV1.Route.TWILIO,
    });
    const owner = await h.owner(orgId);
    await eventually(async () => {
      const { usage, wallet } = await owner.expectData<{
        usage: { lines: Record<string, unknown>[] };
        wallet: { held: { amountMinor: string } };
      }>(`{ usage { lines { route kind messages segments includedSegments walletAmount { amountMinor } } }
            wallet { held { amountMinor } } }`);
      expect(usage.lines).toEqual([
        // The free plan: the SMS from the allowance, each MMS from the wallet at 5 cents.
        {
          route: 'CARRIER',
          kind: 'MMS',
          messages: 1,
          segments: 1,
          includedSegments: 0,
          walletAmount: { amountMinor: '5' },
        },
        {
          route: 'DEVICE',
          kind: 'MMS',
          messages: 1,
          segments: 1,
          includedSegments: 0,
          walletAmount: { amountMinor: '5' },
        },
        {
          route: 'DEVICE',
          kind: 'SMS',
          messages: 1,
          segments: 2,
          includedSegments: 2,
          walletAmount: { amountMinor: '0' },
        },
      ]);
      expect(wallet.held.amountMinor).toBe('10');
    }, 20_000);
    const [entry] = await h.sql(
      `SELECT kind, unit_price_minor::int AS price FROM usage_entries
      WHERE message_id = $1`,
      [mms],
    );
    expect(entry).toEqual({ kind: 'MMS', price: 5 });
  });

  it('meters events that arrive together in shared transactions, each message once', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const log = recordSqlStatements();
    try {
      // One key: one partition, so the consumer fetches them together. 7 segments each: the free
      // plan's 100 included segments run out at the 15th message, inside a shared transaction.
      await h.messageEvents(
        ids.map((messageId) => ({ orgId, messageId, kind: K.QUEUED, key: orgId, segments: 7 })),
      );
      await meteredCount(orgId, ids.length);
    } finally {
      log.stop();
    }
    const consumed = log
      .transactions({ tenant: orgId })
      .filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed.length).toBeLessThan(ids.length);
    // Once a transaction, not per event: the organization's plan row locked and its plan read,
    // the tenant set, the period's allowance counter locked and read, the message's price read
    // (the quota each message publishes once the allowance is out reads the highest prices).
    // Committed ones: a batch that gave up on a lock (lock_timeout) stopped part way.
    for (const tx of consumed.filter((statements) => statements.at(-1) === 'COMMIT')) {
      expect(tx.filter((s) => /FROM organization_plans/.test(s))).toHaveLength(1);
      expect(tx.filter((s) => /FROM plans/.test(s))).toHaveLength(1);
      expect(tx.filter((s) => /set_config\('app\.org_id'/.test(s))).toHaveLength(1);
      expect(tx.filter((s) => /INSERT INTO billing_periods/.test(s))).toHaveLength(1);
      expect(tx.filter((s) => /FROM prices\s+WHERE country IN/.test(s))).toHaveLength(1);
    }
    const metered = await h.sql<{ message_id: string; included: number; wallet: number }>(
      `SELECT message_id, included_segments AS included, wallet_amount_minor::int AS wallet
         FROM usage_entries WHERE org_id = $1`,
      [orgId],
    );
    expect(metered.map((m) => m.message_id).sort()).toEqual([...ids].sort());
    // Charged in order against the allowance as the transactions left it: 14 messages from it,
    // the 15th 2 of its 7 segments, the rest from the wallet at the device SMS price.
    const byId = new Map(metered.map((m) => [m.message_id, m]));
    expect(ids.map((id) => byId.get(id)?.included)).toEqual([
      ...Array<number>(14).fill(7),
      2,
      ...Array<number>(5).fill(0),
    ]);
    const [price] = await h.sql<{ amount: number }>(
      `SELECT amount_minor::int AS amount FROM prices
        WHERE country IN ('US', '*') AND route = 'DEVICE' AND kind = 'SMS'
        ORDER BY (country = '*'), effective_from DESC LIMIT 1`,
    );
    expect(ids.map((id) => byId.get(id)?.wallet)).toEqual([
      ...Array<number>(14).fill(0),
      5 * price.amount,
      ...Array<number>(5).fill(7 * price.amount),
    ]);
    const [period] = await h.sql<{ used: number }>(
      `SELECT included_used::int AS used FROM billing_periods WHERE org_id = $1`,
      [orgId],
    );
    expect(period.used).toBe(100);
  });

  it('prices each event of a shared transaction at the version in force when it was accepted', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    // A destination of its own, so that no other test's prices matter: a version, and a newer
    // one from a moment the events fall on both sides of (in the past: written directly).
    const country = 'NZ';
    const first = new Date(Date.now() - 3_600_000);
    const second = new Date(Date.now() - 1_800_000);
    for (const [at, amount] of [
      [first, 3],
      [second, 4],
    ] as const) {
      await h.sql(
        `INSERT INTO prices (id, country, route, kind, currency, amount_minor, effective_from,
                             created_at, created_by, reason)
         VALUES ($1, $2, 'CARRIER', 'SMS', 'USD', $3, $4, now(), 'test', 'test')
         ON CONFLICT DO NOTHING`,
        [randomUUID(), country, amount, at],
      );
    }
    const before = new Date(second.getTime() - 60_000);
    const after = new Date(second.getTime() + 60_000);
    const events = [before, after, before, after].map((acceptedAt) => ({
      orgId,
      messageId: randomUUID(),
      kind: K.QUEUED,
      key: orgId,
      to: '+6421555012',
      route: messagingV1.Route.CARRIER,
      occurredAt: acceptedAt,
    }));
    const log = recordSqlStatements();
    try {
      await h.messageEvents(events);
      await meteredCount(orgId, events.length);
    } finally {
      log.stop();
    }
    const shared = log
      .transactions({ tenant: orgId })
      .filter((tx) => tx.filter((s) => /INSERT INTO usage_entries/.test(s)).length > 1);
    expect(shared.length).toBeGreaterThan(0);
    const priced = await h.sql<{ message_id: string; price: number }>(
      `SELECT message_id, unit_price_minor::int AS price FROM usage_entries WHERE org_id = $1`,
      [orgId],
    );
    const byId = new Map(priced.map((p) => [p.message_id, p.price]));
    expect(events.map((e) => byId.get(e.messageId))).toEqual([3, 4, 3, 4]);
  });

  it('opens no transaction for message events metering ignores, and meters one in few round trips', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const warm = randomUUID(); // caches and prepared plans settle
    await h.messageEvent({ orgId, messageId: warm, kind: K.QUEUED });
    await eventually(async () => {
      const found = await h.sql(`SELECT 1 FROM usage_entries WHERE message_id = $1`, [warm]);
      if (found.length === 0) throw new Error('not metered yet');
    }, 20_000);
    const messageId = randomUUID();
    const log = recordSqlStatements();
    try {
      // Same key, so one partition: the ignored events are consumed before the QUEUED one.
      await h.messageEvent({ orgId, messageId, kind: K.DISPATCHED });
      await h.messageEvent({ orgId, messageId, kind: K.MEDIA_STORED });
      await h.messageEvent({ orgId, messageId, kind: K.QUEUED });
      await eventually(async () => {
        const found = await h.sql(`SELECT 1 FROM usage_entries WHERE message_id = $1`, [messageId]);
        if (found.length === 0) throw new Error('not metered yet');
      }, 20_000);
    } finally {
      log.stop();
    }
    const consumed = log
      .transactions({ tenant: orgId })
      .filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed).toHaveLength(1);
    if (process.env.PRINT_STATEMENTS) console.log(consumed[0].join('\n'));
    expect(consumed[0].length).toBeLessThanOrEqual(MAX_ACCEPT_STATEMENTS);
    // The message's price is read with the plan row, not on its own.
    const priced = consumed[0].filter((s) => /FROM prices\s+WHERE country IN/.test(s));
    expect(priced).toHaveLength(1);
    expect(priced[0]).toMatch(/FROM organization_plans/);
  });
});

describe('billing metering with a start time', () => {
  let h: BillingHarness;
  const start = new Date(Date.now() - 60_000);

  beforeAll(async () => {
    h = await startBillingHarness({ METERING_START_AT: start.toISOString() });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('meters only messages accepted since METERING_START_AT', async () => {
    const orgId = randomUUID();
    const [before, after] = [randomUUID(), randomUUID()];
    await h.messageEvent({
      orgId,
      messageId: before,
      kind: K.QUEUED,
      occurredAt: new Date(start.getTime() - 1000),
    });
    await h.messageEvent({ orgId, messageId: after, kind: K.QUEUED });
    await eventually(async () => {
      const found = await h.sql(`SELECT 1 FROM usage_entries WHERE message_id = $1`, [after]);
      if (found.length === 0) throw new Error('not metered yet');
    }, 20_000);
    expect(await h.sql(`SELECT message_id FROM usage_entries WHERE org_id = $1`, [orgId])).toEqual([
      { message_id: after },
    ]);
  });
});
