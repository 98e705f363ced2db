// The estimated cost of a campaign preview (issue 13): billing's part of messaging's
// `CampaignPreview` entity, asked for the way the gateway asks (`_entities` with the preview's
// segment and MMS totals, which `@requires` hands over), priced for the caller's organization:
// its plan's remaining allowance first, then the wallet or overage, at the price book in force.
import { randomUUID } from 'node:crypto';
import { startBillingHarness, type BillingHarness } from './support/billing-harness';

const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on CampaignPreview { campaignId estimatedCost {
    total { currencyCode amountMinor } fromWallet { amountMinor } includedSegments chargedSegments
    mms smsUnitPrice { amountMinor } country planId walletAvailable { amountMinor } walletSufficient
  } } } }`;

interface Cost {
  total: { currencyCode: string; amountMinor: string };
  fromWallet: { amountMinor: string };
  includedSegments: number;
  chargedSegments: number;
  mms: number;
  smsUnitPrice: { amountMinor: string };
  country: string;
  planId: string;
  walletAvailable: { amountMinor: string };
  walletSufficient: boolean;
}

const preview = (segments: number, mms = 0, country: string | null = 'US') => ({
  __typename: 'CampaignPreview',
  campaignId: randomUUID(),
  estimatedSegments: segments,
  estimatedMms: mms,
  destinationCountry: country,
});

describe('campaign preview cost', () => {
  let h: BillingHarness;

  beforeAll(async () => {
    h = await startBillingHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  const costOf = async (orgId: string, representation: ReturnType<typeof preview>) => {
    const owner = await h.owner(orgId);
    const data = await owner.expectData<{
      _entities: { campaignId: string; estimatedCost: Cost }[];
    }>(ENTITIES, { representations: [representation] });
    expect(data._entities[0].campaignId).toBe(representation.campaignId);
    return data._entities[0].estimatedCost;
  };

  it('prices the segments past the free allowance from the wallet, and says the wallet cannot pay', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    // The free plan: 100 segments included; the price book's '*' SMS price on the device route: 1.
    expect(await costOf(orgId, preview(250))).toEqual({
      total: { currencyCode: 'USD', amountMinor: '150' },
      fromWallet: { amountMinor: '150' },
      includedSegments: 100,
      chargedSegments: 150,
      mms: 0,
      smsUnitPrice: { amountMinor: '1' },
      country: 'US',
      planId: 'free',
      walletAvailable: { amountMinor: '0' },
      walletSufficient: false,
    });
  });

  it('costs nothing within the allowance, and counts what the period already used', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    expect(await costOf(orgId, preview(100))).toMatchObject({
      total: { amountMinor: '0' },
      includedSegments: 100,
      chargedSegments: 0,
      walletSufficient: true,
    });
    const period = new Date().toISOString().slice(0, 7);
    await h.sql(
      `INSERT INTO billing_periods (org_id, period, included_used) VALUES ($1, $2, 40)
       ON CONFLICT (org_id, period) DO UPDATE SET included_used = 40`,
      [orgId, period],
    );
    expect(await costOf(orgId, preview(100))).toMatchObject({
      total: { amountMinor: '40' },
      includedSegments: 60,
      chargedSegments: 40,
    });
  });

  it('prices MMS at the MMS price (never from the allowance), an unknown country at the catch-all', async () => {
    const orgId = randomUUID();
    await h.organizationCreated(orgId);
    expect(await costOf(orgId, preview(0, 3, null))).toMatchObject({
      total: { amountMinor: '15' },
      mms: 3,
      country: '*',
      includedSegments: 0,
    });
  });

  it('answers only a caller of an organization', async () => {
    const codes = await h.graphql().errorCodes(ENTITIES, { representations: [preview(10)] });
    expect(codes).toEqual(['UNAUTHENTICATED']);
  });
});
