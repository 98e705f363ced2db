// Auto-recharge against a local Stripe: a card saved through a top-up Checkout
// (setup_future_usage), a threshold and an amount; the wallet falling below the threshold asks
// for one charge (never two in flight), the job charges it off-session with an Idempotency-Key,
// the wallet is credited once even when Stripe's webhook comes too (before or after), and a
// declined card pauses auto-recharge with an alert on billing.wallet-alert.v1.
import { randomUUID } from 'node:crypto';
import { accountsV1, billingV1, messagingV1, Topics } from '@switchboard/contracts';
import { eventually } from '@switchboard/testing';
import { AutoRechargeJob } from '../src/auto-recharge/auto-recharge.job';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';
import { StripeTestServer } from './support/stripe-test-server';

const K = messagingV1.MessageEventKind;
const AUTO_RECHARGE = `autoRecharge { status pausedReason below { amountMinor } amount { amountMinor }
  paymentMethod { id brand last4 expMonth expYear } lastAttempt { status amount { amountMinor } failureCode } }`;

describe('auto-recharge', () => {
  let stripe: StripeTestServer;
  let h: BillingHarness;
  const planId = `wallet-${randomUUID().slice(0, 6)}`;

  beforeAll(async () => {
    stripe = await StripeTestServer.start();
    h = await startBillingHarness({ ...stripe.env, AUTO_RECHARGE_INTERVAL_MS: '3600000' });
    // Every segment from the wallet: no allowance, no overage.
    await (
      await h.platformAdmin()
    ).expectData(
      `mutation($input: PlanInput!) { adminSavePlan(input: $input, reason: "test") { id } }`,
      {
        input: {
          id: planId,
          name: 'Wallet only',
          currency: 'USD',
          monthlyPriceMinor: '0',
          includedSegments: '0',
          deviceLimit: 1,
          routes: ['DEVICE'],
          overageAllowed: false,
          overagePriceMinor: '0',
          refundFailed: true,
        },
      },
    );
  });

  afterAll(async () => {
    await h?.close();
    await stripe?.stop();
  });

  const signed = async (event: Record<string, unknown>) => {
    const payload = JSON.stringify(event);
    const response = await fetch(`${h.baseUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': stripe.sign(payload) },
      body: payload,
    });
    expect(response.status).toBe(200);
  };
  const wallet = async (orgId: string) =>
    (
      await (
        await h.owner(orgId)
      ).expectData<{
        wallet: { balance: { amountMinor: string }; available: { amountMinor: string } };
      }>(`{ wallet { balance { amountMinor } available { amountMinor } } }`)
    ).wallet;
  const attempts = (orgId: string) =>
    h.sql<{ status: string; stripe_payment_intent_id: string | null }>(
      `SELECT status, stripe_payment_intent_id FROM auto_recharge_attempts WHERE org_id = $1
        ORDER BY created_at`,
      [orgId],
    );
  const spend = async (orgId: string, segments: number) => {
    const messageId = randomUUID();
    await h.messageEvent({ orgId, messageId, kind: K.QUEUED, segments });
    await eventually(async () => {
      const found = await h.sql(`SELECT 1 FROM usage_entries WHERE message_id = $1`, [messageId]);
      if (found.length === 0) throw new Error('not metered yet');
    });
  };

  /** An organization on the wallet-only plan, topped up by 500 with card `pm` saved. */
  async function organizationWithCard(pm: string): Promise<string> {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    await (
      await h.platformAdmin()
    ).expectData(
      `mutation($org: ID!, $plan: ID!) { adminAssignPlan(orgId: $org, planId: $plan, reason: "test") { plan { id } } }`,
      { org: orgId, plan: planId },
    );
    const owner = await h.owner(orgId);
    const { createTopUpCheckout } = await owner.expectData<{ createTopUpCheckout: { id: string } }>(
      `mutation { createTopUpCheckout(amountMinor: "500", saveCard: true) { id } }`,
    );
    const call = stripe.requests.find(
      (r) =>
        r.path === '/v1/checkout/sessions' &&
        (r.params.metadata as { org_id?: string }).org_id === orgId,
    );
    expect(call?.params.payment_intent_data).toEqual({ setup_future_usage: 'off_session' });
    const session = stripe.completedSession(createTopUpCheckout.id);
    await signed(stripe.event('checkout.session.completed', session));
    await signed(
      stripe.event('payment_method.attached', {
        id: pm,
        object: 'payment_method',
        type: 'card',
        customer: session.customer,
        card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 },
      }),
    );
    expect((await wallet(orgId)).balance.amountMinor).toBe('500');
    return orgId;
  }

  it('charges the saved card once when the balance falls below the threshold', async () => {
    const orgId = await organizationWithCard('pm_card_visa');
    const owner = await h.owner(orgId);
    expect(
      (
        await owner.expectData<{ paymentMethods: unknown[] }>(
          `{ paymentMethods { id brand last4 expMonth expYear } }`,
        )
      ).paymentMethods,
    ).toEqual([{ id: 'pm_card_visa', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2031 }]);
    const set = await owner.expectData<{ setAutoRecharge: unknown }>(
      `mutation($input: AutoRechargeInput!) { setAutoRecharge(input: $input) { status below { amountMinor } amount { amountMinor } paymentMethod { last4 } } }`,
      { input: { belowMinor: '300', amountMinor: '1000', paymentMethodId: 'pm_card_visa' } },
    );
    expect(set.setAutoRecharge).toEqual({
      status: 'ENABLED',
      below: { amountMinor: '300' },
      amount: { amountMinor: '1000' },
      paymentMethod: { last4: '4242' },
    });
    expect(await attempts(orgId)).toEqual([]); // 500 is above 300

    await spend(orgId, 250); // available 250: below
    await spend(orgId, 10); // still below: the attempt in flight is the only one
    expect(await attempts(orgId)).toEqual([{ status: 'PENDING', stripe_payment_intent_id: null }]);

    const job = h.app.get(AutoRechargeJob);
    await job.runOnce();
    const charge = stripe.requests.find(
      (r) =>
        r.path === '/v1/payment_intents' &&
        (r.params.metadata as { org_id?: string }).org_id === orgId,
    );
    expect(charge?.idempotencyKey).toMatch(/^auto-recharge:[0-9a-f-]{36}$/);
    expect(charge?.params).toMatchObject({
      amount: '1000',
      currency: 'usd',
      payment_method: 'pm_card_visa',
      off_session: 'true',
      confirm: 'true',
      metadata: { kind: 'auto_recharge' },
    });
    const [attempt] = await attempts(orgId);
    expect(attempt.status).toBe('SUCCEEDED');
    expect(await wallet(orgId)).toEqual({
      balance: { amountMinor: '1500' },
      available: { amountMinor: '1240' },
    });
    // The ledger, newest first, two entries a page (Relay).
    type Ledger = {
      walletLedger: {
        edges: { node: { kind: string; amount: { amountMinor: string } } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const LEDGER = `query($after: String) { walletLedger(first: 2, after: $after) {
      edges { node { kind amount { amountMinor } } } pageInfo { hasNextPage endCursor } } }`;
    const pages: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { walletLedger }: Ledger = await owner.expectData<Ledger>(LEDGER, { after });
      pages.push(walletLedger.edges.map((e) => e.node.kind).join(','));
      if (!walletLedger.pageInfo.hasNextPage) break;
      after = walletLedger.pageInfo.endCursor;
    }
    expect(pages).toEqual(['TOPUP,RESERVATION', 'RESERVATION,TOPUP']);
    expect(await owner.errorCodes(LEDGER, { after: 'nope' })).toEqual(['INVALID_PAGINATION']);

    // Stripe's webhook for the same charge credits nothing more; nothing is left to run.
    const intent = stripe.paymentIntents.get(attempt.stripe_payment_intent_id!)!;
    await signed(stripe.event('payment_intent.succeeded', intent));
    await job.runOnce();
    expect((await wallet(orgId)).balance.amountMinor).toBe('1500');
    expect(
      stripe.requests.filter(
        (r) =>
          r.path === '/v1/payment_intents' &&
          (r.params.metadata as { org_id?: string }).org_id === orgId,
      ),
    ).toHaveLength(1);
  });

  it('credits once when Stripe’s webhook settles the charge before the job sees it', async () => {
    const orgId = await organizationWithCard('pm_card_mastercard');
    await (
      await h.owner(orgId)
    ).expectData(
      `mutation($input: AutoRechargeInput!) { setAutoRecharge(input: $input) { status } }`,
      {
        input: { belowMinor: '600', amountMinor: '700', paymentMethodId: 'pm_card_mastercard' },
      },
    );
    // Set below the current balance: a charge is asked for at once.
    const [pending] = await h.sql<{ id: string }>(
      `SELECT id FROM auto_recharge_attempts WHERE org_id = $1 AND status = 'PENDING'`,
      [orgId],
    );
    expect(pending).toBeDefined();
    await signed(
      stripe.event('payment_intent.succeeded', {
        id: 'pi_from_webhook',
        object: 'payment_intent',
        amount: 700,
        currency: 'usd',
        status: 'succeeded',
        metadata: { org_id: orgId, kind: 'auto_recharge', attempt_id: pending.id },
      }),
    );
    expect((await wallet(orgId)).balance.amountMinor).toBe('1200');
    await h.app.get(AutoRechargeJob).runOnce();
    expect((await wallet(orgId)).balance.amountMinor).toBe('1200');
  });

  it('pauses and alerts when the card is declined', async () => {
    const orgId = await organizationWithCard('pm_card_chargeDeclined');
    const alerts = await h.watch(Topics.billing.walletAlert);
    const mails = await h.watch(Topics.accounts.email);
    const owner = await h.owner(orgId);
    await owner.expectData(
      `mutation($input: AutoRechargeInput!) { setAutoRecharge(input: $input) { status } }`,
      {
        input: {
          belowMinor: '400',
          amountMinor: '1000',
          paymentMethodId: 'pm_card_chargeDeclined',
        },
      },
    );
    await spend(orgId, 200);
    await h.app.get(AutoRechargeJob).runOnce();
    const alert = await alerts.waitFor(
      (e) =>
        e.message.orgId === orgId &&
        e.message.kind === billingV1.WalletAlertKind.AUTO_RECHARGE_FAILED,
    );
    expect(alert.message.failureCode).toBe('card_declined');
    // The owners hear of both: the balance below the alert threshold (500), and the failure.
    const toOwners = (template: accountsV1.EmailTemplate) =>
      mails.waitFor(
        (e) =>
          e.message.orgId === orgId &&
          e.message.toOrganizationOwners &&
          e.message.template === template,
      );
    expect((await toOwners(accountsV1.EmailTemplate.LOW_BALANCE)).message.variables).toEqual({
      balance: '$3.00',
      threshold: '$5.00',
    });
    expect(
      (await toOwners(accountsV1.EmailTemplate.OWNER_NOTICE)).message.variables.text,
    ).toContain('card_declined');
    const { autoRecharge } = await owner.expectData<{ autoRecharge: Record<string, unknown> }>(
      `{ ${AUTO_RECHARGE} }`,
    );
    expect(autoRecharge).toMatchObject({
      status: 'PAUSED',
      pausedReason: 'card_declined',
      lastAttempt: {
        status: 'FAILED',
        amount: { amountMinor: '1000' },
        failureCode: 'card_declined',
      },
    });
    await spend(orgId, 50); // paused: no new attempt
    expect((await attempts(orgId)).map((a) => a.status)).toEqual(['FAILED']);
    expect((await wallet(orgId)).balance.amountMinor).toBe('500');
  });

  it('refuses a card that is not saved and amounts out of range', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const owner = await h.owner(orgId);
    const mutation = `mutation($input: AutoRechargeInput!) { setAutoRecharge(input: $input) { status } }`;
    expect(
      await owner.errorCodes(mutation, {
        input: { belowMinor: '300', amountMinor: '1000', paymentMethodId: 'pm_someone_else' },
      }),
    ).toEqual(['PAYMENT_METHOD_NOT_FOUND']);
    expect(
      await owner.errorCodes(mutation, {
        input: { belowMinor: '300', amountMinor: '5', paymentMethodId: 'pm_card_visa' },
      }),
    ).toEqual(['INVALID_AMOUNT']);
    expect(
      (await owner.expectData<{ autoRecharge: null }>(`{ autoRecharge { status } }`)).autoRecharge,
    ).toBeNull();
    expect(
      (
        await (
          await h.member(orgId)
        ).errorCodes(mutation, {
          input: { belowMinor: '300', amountMinor: '1000', paymentMethodId: 'pm_card_visa' },
        })
      )[0],
    ).toBe('FORBIDDEN');
  });
});
