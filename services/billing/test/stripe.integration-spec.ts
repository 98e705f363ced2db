// Stripe through the public interfaces: GraphQL creates the customer and the Checkout Session on
// a local Stripe (form-encoded, idempotency keys), signed webhooks at POST /webhooks/stripe
// credit the wallet once however often and in whatever order they come, bad or stale
// signatures change nothing, subscription events drive the plan, and no card number is stored.
import { randomUUID } from 'node:crypto';
import { messagingV1 } from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';
import { StripeTestServer } from './support/stripe-test-server';

describe('billing with Stripe', () => {
  let stripe: StripeTestServer;
  let h: BillingHarness;

  beforeAll(async () => {
    stripe = await StripeTestServer.start();
    h = await startBillingHarness({ ...stripe.env, STRIPE_METER_INTERVAL_MS: '200' });
  });

  afterAll(async () => {
    await h?.close();
    await stripe?.stop();
  });

  const deliver = (payload: string, signature?: string) =>
    fetch(`${h.baseUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === undefined ? {} : { 'stripe-signature': signature }),
      },
      body: payload,
    });
  const signed = async (event: Record<string, unknown>) => {
    const payload = JSON.stringify(event, null, 2);
    return deliver(payload, stripe.sign(payload));
  };
  const wallet = async (orgId: string) =>
    await (
      await h.owner(orgId)
    ).expectData<{
      wallet: { balance: { amountMinor: string } };
      walletLedger: {
        edges: { node: { kind: string; amount: { amountMinor: string }; reference: string } }[];
      };
    }>(
      `{ wallet { balance { amountMinor } } walletLedger(first: 10) { edges { node { kind amount { amountMinor } reference } } } }`,
    );

  async function topUpSession(orgId: string, amountMinor: string): Promise<string> {
    const owner = await h.owner(orgId);
    const data = await owner.expectData<{ createTopUpCheckout: { id: string; url: string } }>(
      `mutation($amount: String!) { createTopUpCheckout(amountMinor: $amount) { id url } }`,
      { amount: amountMinor },
    );
    expect(data.createTopUpCheckout.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    return data.createTopUpCheckout.id;
  }

  it('tops up through Checkout and credits once when the webhook comes three times, out of order', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const sessionId = await topUpSession(orgId, '2500');

    const customerCall = stripe.requests.find(
      (r) => r.path === '/v1/customers' && r.idempotencyKey === `customer:${orgId}`,
    );
    expect(customerCall?.params).toEqual({ metadata: { org_id: orgId } });
    const sessionCall = stripe.requests.find(
      (r) =>
        r.path === '/v1/checkout/sessions' &&
        (r.params.metadata as { org_id?: string })?.org_id === orgId,
    );
    expect(sessionCall?.idempotencyKey).toMatch(new RegExp(`^top-up:${orgId}:`));
    expect(sessionCall?.params).toMatchObject({
      mode: 'payment',
      client_reference_id: orgId,
      line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '2500' } }],
    });

    const now = Math.floor(Date.now() / 1000);
    const completed = stripe.event(
      'checkout.session.completed',
      stripe.completedSession(sessionId),
      now - 5,
    );
    const asyncSucceeded = stripe.event(
      'checkout.session.async_payment_succeeded',
      stripe.completedSession(sessionId),
      now - 2,
    );
    // Newest first, then the original three times.
    for (const event of [asyncSucceeded, completed, completed, completed]) {
      expect((await signed(event)).status).toBe(200);
    }
    const found = await wallet(orgId);
    expect(found.wallet.balance.amountMinor).toBe('2500');
    expect(found.walletLedger.edges.map((e) => e.node)).toEqual([
      { kind: 'TOPUP', amount: { amountMinor: '2500' }, reference: sessionId },
    ]);
    const events = await h.sql(`SELECT id FROM stripe_events WHERE id = ANY($1)`, [
      [completed.id, asyncSucceeded.id],
    ]);
    expect(events).toHaveLength(2);
  });

  it('refuses bad, stale and missing signatures with 400 and writes nothing', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const sessionId = await topUpSession(orgId, '1000');
    const event = stripe.event('checkout.session.completed', stripe.completedSession(sessionId));
    const payload = JSON.stringify(event);
    const before = await h.sql(`SELECT count(*)::int AS n FROM stripe_events`);

    const wrongSecret = await deliver(
      payload,
      stripe.sign(payload, undefined, 'whsec_someone_else'),
    );
    const stale = await deliver(payload, stripe.sign(payload, Math.floor(Date.now() / 1000) - 301));
    const tampered = await deliver(payload.replace('1000', '9000'), stripe.sign(payload));
    const missing = await deliver(payload);
    for (const response of [wrongSecret, stale, tampered, missing]) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'INVALID_SIGNATURE' });
    }
    expect(await h.sql(`SELECT count(*)::int AS n FROM stripe_events`)).toEqual(before);
    expect((await wallet(orgId)).wallet.balance.amountMinor).toBe('0');
    // Within the tolerance it is accepted.
    expect(
      (await deliver(payload, stripe.sign(payload, Math.floor(Date.now() / 1000) - 250))).status,
    ).toBe(200);
    expect((await wallet(orgId)).wallet.balance.amountMinor).toBe('1000');
  });

  it('follows subscription events to the plan, the newest one winning whatever the order', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    await topUpSession(orgId, '500'); // creates the Stripe customer
    const customer = [...stripe.customers.values()].find(
      (c) => (c.metadata as { org_id?: string }).org_id === orgId,
    )!;
    const admin = await h.platformAdmin();
    const planId = `pro-${randomUUID().slice(0, 6)}`;
    const stripePriceId = `price_${randomUUID().replace(/-/g, '')}`;
    await admin.expectData(
      `mutation($input: PlanInput!) { adminSavePlan(input: $input, reason: "test") { id } }`,
      {
        input: {
          id: planId,
          name: 'Pro',
          currency: 'USD',
          monthlyPriceMinor: '4900',
          includedSegments: '5000',
          deviceLimit: 5,
          routes: ['DEVICE'],
          overageAllowed: true,
          overagePriceMinor: '2',
          refundFailed: true,
          stripePriceId,
        },
      },
    );
    const checkout = await (
      await h.owner(orgId)
    ).expectData<{ createSubscriptionCheckout: { id: string } }>(
      `mutation($plan: ID!) { createSubscriptionCheckout(planId: $plan) { id } }`,
      { plan: planId },
    );
    expect(stripe.sessions.get(checkout.createSubscriptionCheckout.id)).toMatchObject({
      mode: 'subscription',
      customer: customer.id,
    });
    expect(stripe.requests.at(-1)?.params).toMatchObject({
      line_items: [{ price: stripePriceId, quantity: '1' }],
      subscription_data: { metadata: { org_id: orgId } },
    });
    expect(
      await (
        await h.owner(orgId)
      ).errorCodes(`mutation { createSubscriptionCheckout(planId: "free") { id } }`),
    ).toEqual(['PLAN_NOT_FOUND']);
    const subscription = (status: string) => ({
      id: 'sub_123',
      object: 'subscription',
      customer: customer.id,
      status,
      items: {
        object: 'list',
        data: [{ id: 'si_1', price: { id: stripePriceId, object: 'price' } }],
      },
    });
    const now = Math.floor(Date.now() / 1000);
    const created = stripe.event(
      'customer.subscription.created',
      subscription('incomplete'),
      now - 30,
    );
    const updated = stripe.event('customer.subscription.updated', subscription('active'), now - 20);
    const myPlan = async () =>
      (
        await (
          await h.owner(orgId)
        ).expectData<{ myPlan: { plan: { id: string }; subscriptionStatus: string | null } }>(
          `{ myPlan { plan { id } subscriptionStatus } }`,
        )
      ).myPlan;

    expect((await signed(updated)).status).toBe(200);
    expect((await signed(created)).status).toBe(200); // older: changes nothing
    expect(await myPlan()).toEqual({ plan: { id: planId }, subscriptionStatus: 'active' });

    const deleted = stripe.event(
      'customer.subscription.deleted',
      subscription('canceled'),
      now - 10,
    );
    expect((await signed(deleted)).status).toBe(200);
    expect((await signed(updated)).status).toBe(200); // a redelivery of an older event
    expect(await myPlan()).toEqual({ plan: { id: 'free' }, subscriptionStatus: 'canceled' });
  });

  it('reports a subscription’s overage to Stripe as one meter event per message', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    await topUpSession(orgId, '500'); // creates the Stripe customer
    const customer = [...stripe.customers.values()].find(
      (c) => (c.metadata as { org_id?: string }).org_id === orgId,
    )!;
    const planId = `metered-${randomUUID().slice(0, 6)}`;
    const stripePriceId = `price_${randomUUID().replace(/-/g, '')}`;
    await (
      await h.platformAdmin()
    ).expectData(
      `mutation($input: PlanInput!) { adminSavePlan(input: $input, reason: "test") { id } }`,
      {
        input: {
          id: planId,
          name: 'Metered',
          currency: 'USD',
          monthlyPriceMinor: '1000',
          includedSegments: '1',
          deviceLimit: 1,
          routes: ['DEVICE'],
          overageAllowed: true,
          overagePriceMinor: '2',
          refundFailed: true,
          stripePriceId,
        },
      },
    );
    const active = stripe.event('customer.subscription.updated', {
      id: 'sub_metered',
      object: 'subscription',
      customer: customer.id,
      status: 'active',
      items: {
        object: 'list',
        data: [{ id: 'si_1', price: { id: stripePriceId, object: 'price' } }],
      },
    });
    expect((await signed(active)).status).toBe(200);

    const messageId = randomUUID();
    const K = messagingV1.MessageEventKind;
    await h.messageEvent({ orgId, messageId, kind: K.QUEUED, segments: 3 }); // 1 included, 2 overage
    await h.messageEvent({ orgId, messageId, kind: K.SENT, segments: 3 });
    await h.messageEvent({ orgId, messageId, kind: K.SENT, segments: 3 }); // a duplicate
    await eventually(async () => {
      const [row] = await h.sql(
        `SELECT reported_at FROM stripe_meter_events WHERE message_id = $1`,
        [messageId],
      );
      if (!row?.reported_at) throw new Error('not reported yet');
    }, 20_000);
    expect(stripe.meterEvents.get(`message:${messageId}`)).toMatchObject({
      event_name: 'sms_segments',
      payload: { stripe_customer_id: customer.id, value: '2' },
    });
    const reports = stripe.requests.filter(
      (r) =>
        r.path === '/v1/billing/meter_events' && r.params.identifier === `message:${messageId}`,
    );
    expect(reports).toHaveLength(1);
  });

  it('keeps only Stripe ids, brand, last 4 digits and expiry of a card (checked by a dump)', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    await topUpSession(orgId, '500');
    const customer = [...stripe.customers.values()].find(
      (c) => (c.metadata as { org_id?: string }).org_id === orgId,
    )!;
    const pan = '4242424242424242';
    const attached = stripe.event('payment_method.attached', {
      id: 'pm_card_visa',
      object: 'payment_method',
      type: 'card',
      customer: customer.id,
      // More than Stripe ever sends (it never sends a number or CVC): none of it may be kept.
      card: {
        brand: 'visa',
        last4: '4242',
        exp_month: 12,
        exp_year: 2030,
        fingerprint: 'fp_x',
        number: pan,
        cvc: '123',
      },
      billing_details: { name: 'Card Holder' },
    });
    expect((await signed(attached)).status).toBe(200);
    await eventually(async () => {
      const cards = await h.sql(
        `SELECT brand, last4, exp_month, exp_year FROM payment_methods WHERE org_id = $1`,
        [orgId],
      );
      expect(cards).toEqual([{ brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 }]);
    });
    const tables = await h.sql<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`,
    );
    for (const { name } of tables) {
      const dump = await h.sql<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      for (const { row } of dump) {
        expect(row).not.toContain(pan);
        expect(row).not.toContain('Card Holder');
      }
    }
  });

  it('lists the organization’s Stripe invoices, newest first, page by page', async () => {
    const customerOf = async (orgId: string) => {
      await h.organizationCreated(orgId);
      await (await h.owner(orgId)).expectData(`mutation { createBillingPortalSession { url } }`);
      return [...stripe.customers.values()].find(
        (c) => (c.metadata as { org_id?: string }).org_id === orgId,
      )!.id as string;
    };
    const orgId = randomUUID();
    const other = randomUUID();
    const customer = await customerOf(orgId);
    const otherCustomer = await customerOf(other);
    const month = (m: number) => Math.floor(Date.UTC(2026, m, 1) / 1000);
    const [september, , november] = [8, 9, 10].map((m) =>
      stripe.addInvoice(customer, {
        total: 4900,
        status: m === 10 ? 'open' : 'paid',
        periodStart: month(m),
        periodEnd: month(m + 1),
      }),
    );
    stripe.addInvoice(otherCustomer, {
      total: 100,
      status: 'paid',
      periodStart: month(10),
      periodEnd: month(11),
    });
    type Page = {
      invoices: {
        edges: {
          cursor: string;
          node: {
            id: string;
            status: string;
            total: { amountMinor: string; currencyCode: string };
            amountPaid: { amountMinor: string };
            hostedInvoiceUrl: string;
            periodStart: string;
            periodEnd: string;
          };
        }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const INVOICES = `query($first: Int, $after: String) { invoices(first: $first, after: $after) {
      edges { cursor node { id status total { amountMinor currencyCode } amountPaid { amountMinor }
        hostedInvoiceUrl periodStart periodEnd } }
      pageInfo { hasNextPage endCursor } } }`;
    const owner = await h.owner(orgId);
    const first = await owner.expectData<Page>(INVOICES, { first: 2 });
    expect(first.invoices.edges.map((e) => e.node.id)).toEqual([
      november.id,
      expect.stringMatching(/^in_/),
    ]);
    expect(first.invoices.edges[0].node).toEqual({
      id: november.id,
      status: 'open',
      total: { amountMinor: '4900', currencyCode: 'USD' },
      amountPaid: { amountMinor: '0' },
      hostedInvoiceUrl: `https://invoice.stripe.test/i/${String(november.id)}`,
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-12-01T00:00:00.000Z',
    });
    expect(first.invoices.pageInfo.hasNextPage).toBe(true);
    const second = await owner.expectData<Page>(INVOICES, {
      first: 2,
      after: first.invoices.pageInfo.endCursor,
    });
    expect(second.invoices.edges.map((e) => e.node.id)).toEqual([september.id]);
    expect(second.invoices.pageInfo.hasNextPage).toBe(false);
    const listed = stripe.requests.filter((r) => r.path === '/v1/invoices');
    expect(listed.at(-1)).toMatchObject({
      method: 'GET',
      params: { customer, limit: '2', starting_after: first.invoices.edges[1].node.id },
    });

    // No Stripe customer yet: nothing to list, and no customer created for it.
    const newcomer = randomUUID();
    await h.organizationCreated(newcomer);
    const calls = stripe.requests.length;
    expect((await (await h.owner(newcomer)).expectData<Page>(INVOICES, {})).invoices.edges).toEqual(
      [],
    );
    expect(stripe.requests.length).toBe(calls);
    expect(await owner.errorCodes(INVOICES, { after: 'not-a-cursor' })).toEqual([
      'INVALID_PAGINATION',
    ]);
    expect(await owner.errorCodes(INVOICES, { first: 101 })).toEqual(['INVALID_PAGINATION']);
    expect((await (await h.member(orgId)).errorCodes(INVOICES, {}))[0]).toBe('FORBIDDEN');
  });

  it('has sent Stripe only requests its OpenAPI spec describes (the local Stripe checks each)', async () => {
    const refused = await fetch(`${stripe.baseUrl}/v1/customers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${stripe.secretKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'metadata[org_id]=x&favourite_colour=blue',
    });
    expect(refused.status).toBe(400);
    expect(stripe.specViolations.splice(0)).toEqual([
      'POST /v1/customers: favourite_colour is not a parameter',
    ]);
    expect(stripe.requests.length).toBeGreaterThan(10);
    expect(stripe.specViolations).toEqual([]);
  });

  it('opens the billing portal for the organization’s customer', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const owner = await h.owner(orgId);
    const data = await owner.expectData<{ createBillingPortalSession: { url: string } }>(
      `mutation { createBillingPortalSession { url } }`,
    );
    expect(data.createBillingPortalSession.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
    expect(
      await owner.errorCodes(`mutation { createTopUpCheckout(amountMinor: "5") { id } }`),
    ).toEqual(['INVALID_AMOUNT']);
    expect(
      (
        await (await h.member(orgId)).errorCodes(`mutation { createBillingPortalSession { url } }`)
      )[0],
    ).toBe('FORBIDDEN');
  });
});
