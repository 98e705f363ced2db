// Plan changes through GraphQL against a local Stripe: an upgrade switches the subscription's
// price at once with Stripe's proration; a downgrade waits, visible and cancelable, until the
// boundary job applies it (the subscription switched without proration, or ended for a plan
// Stripe does not bill); a paid upgrade without a subscription goes through Checkout; older
// subscription events do not undo a change.
import { randomUUID } from 'node:crypto';
import { PlanChangesJob } from '../src/plan-changes/plan-changes.job';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';
import { StripeTestServer } from './support/stripe-test-server';

interface MyPlan {
  plan: { id: string };
  pendingPlanId: string | null;
  pendingPlanAt: string | null;
  subscriptionStatus: string | null;
}
const MY_PLAN = `plan { id } pendingPlanId pendingPlanAt subscriptionStatus`;

describe('plan changes', () => {
  let stripe: StripeTestServer;
  let h: BillingHarness;
  const suffix = randomUUID().replace(/-/g, '').slice(0, 6);
  const basic = { id: `basic-${suffix}`, price: `price_basic${suffix}` };
  const pro = { id: `pro-${suffix}`, price: `price_pro${suffix}` };

  beforeAll(async () => {
    stripe = await StripeTestServer.start();
    h = await startBillingHarness({ ...stripe.env, PLAN_CHANGE_INTERVAL_MS: '3600000' });
    const admin = await h.platformAdmin();
    for (const [plan, monthly, included] of [
      [basic, '1900', '2000'],
      [pro, '4900', '10000'],
    ] as const) {
      await admin.expectData(
        `mutation($input: PlanInput!) { adminSavePlan(input: $input, reason: "test") { id } }`,
        {
          input: {
            id: plan.id,
            name: plan.id,
            currency: 'USD',
            monthlyPriceMinor: monthly,
            includedSegments: included,
            deviceLimit: 5,
            routes: ['DEVICE'],
            overageAllowed: true,
            overagePriceMinor: '2',
            refundFailed: true,
            stripePriceId: plan.price,
          },
        },
      );
    }
  });

  afterEach(() => h.clock.reset());

  afterAll(async () => {
    await h?.close();
    await stripe?.stop();
  });

  const signed = async (event: Record<string, unknown>) => {
    const payload = JSON.stringify(event);
    const response = await fetch(`${h.baseUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripe.sign(payload, seconds(h.clock.now())),
      },
      body: payload,
    });
    expect(response.status).toBe(200);
  };
  const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
  const myPlan = async (orgId: string) =>
    (await (await h.owner(orgId)).expectData<{ myPlan: MyPlan }>(`{ myPlan { ${MY_PLAN} } }`))
      .myPlan;
  const change = async (orgId: string, planId: string) =>
    (
      await (
        await h.owner(orgId)
      ).expectData<{ changePlan: MyPlan }>(
        `mutation($plan: ID!) { changePlan(planId: $plan) { ${MY_PLAN} } }`,
        { plan: planId },
      )
    ).changePlan;
  const quotaVersion = async (orgId: string) =>
    (
      await h.sql<{ v: number }>(
        `SELECT quota_version::int AS v FROM organization_plans WHERE org_id = $1`,
        [orgId],
      )
    )[0].v;
  const subscriptionRequests = (subscriptionId: string) =>
    stripe.requests.filter((r) => r.path === `/v1/subscriptions/${subscriptionId}`);

  /** An organization with a Stripe customer and an active subscription to `basic`. */
  async function subscribedOrganization(): Promise<{ orgId: string; subscriptionId: string }> {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    await (await h.owner(orgId)).expectData(`mutation { createBillingPortalSession { url } }`);
    const customer = [...stripe.customers.values()].find(
      (c) => (c.metadata as { org_id?: string }).org_id === orgId,
    )!;
    const subscription = stripe.subscribe(customer.id as string, basic.price);
    await signed(
      stripe.event('customer.subscription.created', subscription, Math.floor(Date.now() / 1000)),
    );
    expect((await myPlan(orgId)).plan.id).toBe(basic.id);
    return { orgId, subscriptionId: subscription.id as string };
  }

  it('upgrades at once, the subscription switched with Stripe’s proration', async () => {
    const { orgId, subscriptionId } = await subscribedOrganization();
    const before = await quotaVersion(orgId);

    expect(await change(orgId, pro.id)).toEqual({
      plan: { id: pro.id },
      pendingPlanId: null,
      pendingPlanAt: null,
      subscriptionStatus: 'active',
    });
    const update = subscriptionRequests(subscriptionId).find((r) => r.method === 'POST');
    expect(update?.idempotencyKey).toBe(`plan-upgrade:${orgId}:${subscriptionId}:${pro.id}`);
    expect(update?.params).toEqual({
      items: [{ id: expect.stringMatching(/^si_/), price: pro.price }],
      proration_behavior: 'create_prorations',
    });
    expect(stripe.priceOf(subscriptionId)).toBe(pro.price);
    expect(await quotaVersion(orgId)).toBeGreaterThan(before); // the new allowance published

    // An event Stripe created before the upgrade, delivered late, does not undo it.
    const stale = { ...stripe.subscriptions.get(subscriptionId)! };
    stale.items = { object: 'list', data: [{ id: 'si_old', price: { id: basic.price } }] };
    await signed(
      stripe.event('customer.subscription.updated', stale, Math.floor(Date.now() / 1000) - 60),
    );
    expect((await myPlan(orgId)).plan.id).toBe(pro.id);
  });

  it('holds a downgrade until the boundary, cancelable, then switches without proration', async () => {
    const { orgId, subscriptionId } = await subscribedOrganization();
    await change(orgId, pro.id);
    const postsBefore = subscriptionRequests(subscriptionId).filter((r) => r.method === 'POST');

    const now = h.clock.now();
    const boundary = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect(await change(orgId, basic.id)).toMatchObject({
      plan: { id: pro.id },
      pendingPlanId: basic.id,
      pendingPlanAt: boundary.toISOString(),
    });
    expect(subscriptionRequests(subscriptionId).filter((r) => r.method === 'POST')).toEqual(
      postsBefore,
    );
    const canceled = await (
      await h.owner(orgId)
    ).expectData<{ cancelPlanChange: MyPlan }>(`mutation { cancelPlanChange { ${MY_PLAN} } }`);
    expect(canceled.cancelPlanChange).toMatchObject({ plan: { id: pro.id }, pendingPlanId: null });

    await change(orgId, basic.id);
    const job = h.app.get(PlanChangesJob);
    await job.runOnce(); // not due yet
    expect((await myPlan(orgId)).pendingPlanId).toBe(basic.id);

    h.clock.set(new Date(boundary.getTime() + 1000));
    await job.runOnce();
    expect(await myPlan(orgId)).toMatchObject({ plan: { id: basic.id }, pendingPlanId: null });
    const switched = subscriptionRequests(subscriptionId)
      .filter((r) => r.method === 'POST')
      .at(-1);
    expect(switched?.params).toMatchObject({ proration_behavior: 'none' });
    expect(stripe.priceOf(subscriptionId)).toBe(basic.price);
  });

  it('ends the subscription at the boundary of a downgrade to a plan Stripe does not bill', async () => {
    const { orgId, subscriptionId } = await subscribedOrganization();
    const pending = await change(orgId, 'free');
    expect(pending).toMatchObject({ plan: { id: basic.id }, pendingPlanId: 'free' });

    h.clock.set(new Date(new Date(pending.pendingPlanAt!).getTime() + 1000));
    const job = h.app.get(PlanChangesJob);
    await job.runOnce();
    expect((await myPlan(orgId)).plan.id).toBe('free');
    expect(stripe.subscriptions.get(subscriptionId)?.status).toBe('canceled');
    expect(subscriptionRequests(subscriptionId).filter((r) => r.method === 'DELETE')).toHaveLength(
      1,
    );
    // Stripe's own word on it changes nothing more; a second run finds nothing due.
    await signed(
      stripe.event(
        'customer.subscription.deleted',
        stripe.subscriptions.get(subscriptionId)!,
        Math.floor(h.clock.now().getTime() / 1000) + 1,
      ),
    );
    expect(await myPlan(orgId)).toMatchObject({
      plan: { id: 'free' },
      subscriptionStatus: 'canceled',
    });
    await job.runOnce();
    expect(subscriptionRequests(subscriptionId).filter((r) => r.method === 'DELETE')).toHaveLength(
      1,
    );
  });

  it('sends a paid upgrade without a subscription to Checkout, and checks the caller and plan', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    const owner = await h.owner(orgId);
    const changePlan = `mutation($plan: ID!) { changePlan(planId: $plan) { plan { id } } }`;
    expect(await owner.errorCodes(changePlan, { plan: pro.id })).toEqual(['SUBSCRIPTION_REQUIRED']);
    expect(await owner.errorCodes(changePlan, { plan: 'no-such-plan' })).toEqual([
      'PLAN_NOT_FOUND',
    ]);
    expect((await (await h.member(orgId)).errorCodes(changePlan, { plan: 'free' }))[0]).toBe(
      'FORBIDDEN',
    );
    expect((await myPlan(orgId)).plan.id).toBe('free');
  });
});
