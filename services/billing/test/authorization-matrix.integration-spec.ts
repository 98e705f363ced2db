// Who may call what: every Query and Mutation field of the billing subgraph, called as every
// kind of caller (generated from the schema and the resolvers' auth decorators; see
// libs/testing/src/authorization-matrix.ts). A new field fails here until it is listed below.
import { randomUUID } from 'node:crypto';
import {
  describeAuthorizationMatrix,
  FEDERATION,
  requiresPlatformAdmin,
  requiresScopes,
  type AuthorizationMatrix,
  type MatrixCaller,
  type MatrixTarget,
} from '@switchboard/testing';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';
import { StripeTestServer } from './support/stripe-test-server';

/** Reading the plan, prices, usage and the wallet: members' messages:read. */
const READ = requiresScopes('messages:read');
/** Paying (Checkout, the portal): the owner's admin. */
const OWNER = requiresScopes('admin');
const PLAN = {
  id: 'matrix',
  name: 'Matrix',
  currency: 'USD',
  monthlyPriceMinor: '0',
  includedSegments: '1',
  deviceLimit: 1,
  routes: ['DEVICE'],
  overageAllowed: false,
  overagePriceMinor: '0',
  refundFailed: true,
};

const matrix: AuthorizationMatrix = {
  service: 'billing',
  deviceAccessToken: true,
  fields: {
    'Query.myPlan': READ,
    'Query.plans': READ,
    'Query.price': { ...READ, args: { country: 'US', route: 'DEVICE' } },
    'Query.usage': READ,
    'Query.wallet': READ,
    'Query.walletLedger': READ,
    'Mutation.createTopUpCheckout': { ...OWNER, args: { amountMinor: '1000' } },
    'Mutation.createBillingPortalSession': OWNER,
    'Query.invoices': OWNER,
    'Query.autoRecharge': OWNER,
    'Query.paymentMethods': OWNER,
    // No saved card: the owner's call is allowed and answered PAYMENT_METHOD_NOT_FOUND.
    'Mutation.setAutoRecharge': {
      ...OWNER,
      args: { input: { belowMinor: '300', amountMinor: '1000', paymentMethodId: 'pm_none' } },
    },
    'Mutation.disableAutoRecharge': OWNER,
    // No such plan: the owner's call is allowed and answered PLAN_NOT_FOUND.
    'Mutation.createSubscriptionCheckout': { ...OWNER, args: { planId: 'free' } },
    // The plan you are on: allowed, nothing changes.
    'Mutation.changePlan': { ...OWNER, args: { planId: 'free' } },
    'Mutation.cancelPlanChange': OWNER,
    'Mutation.adminSavePlan': {
      ...requiresPlatformAdmin('billing_plan.save'),
      args: { input: PLAN },
    },
    'Mutation.adminAssignPlan': {
      ...requiresPlatformAdmin('billing_plan.assign'),
      args: { orgId: randomUUID(), planId: 'free' },
    },
    'Mutation.adminAddPrice': {
      ...requiresPlatformAdmin('billing_price.add'),
      args: {
        input: { country: 'FR', route: 'DEVICE', kind: 'SMS', currency: 'USD', amountMinor: '3' },
      },
    },
    // Billing's part of messaging's CampaignPreview (estimatedCost) is reached through it.
    'Query._entities': FEDERATION,
    'Query._service': FEDERATION,
  },
};

describe('billing authorization matrix', () => {
  const orgId = randomUUID();
  let stripe: StripeTestServer;
  let h: BillingHarness;
  let target: MatrixTarget;

  beforeAll(async () => {
    stripe = await StripeTestServer.start();
    h = await startBillingHarness(stripe.env);
    target = {
      app: h.app,
      client: h.graphql(),
      tokenFor: (caller) => tokenFor(h, orgId, caller),
    };
  });

  afterAll(async () => {
    await h?.close();
    await stripe?.stop();
  });

  describeAuthorizationMatrix(matrix, () => target);
});

function tokenFor(
  h: BillingHarness,
  orgId: string,
  caller: MatrixCaller,
): Promise<string | undefined> {
  switch (caller.kind) {
    case 'user':
      return h.tokens.user(orgId, caller.role);
    case 'api_token':
      return h.tokens.apiToken(orgId, [...caller.scopes], { role: 'CUSTOMER' });
    case 'device':
      return h.tokens.device(orgId);
    default:
      return Promise.resolve(undefined);
  }
}
