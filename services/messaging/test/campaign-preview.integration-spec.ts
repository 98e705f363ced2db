// previewCampaign's cost inputs (issue 13): the campaign's segment total (each recipient's
// rendered text counted; the mean of a sample times the recipients past 1,000), its MMS count
// and destination country, which billing prices through the supergraph (CampaignPreview is an
// entity keyed by campaignId; the gateway hands billing these fields by @requires). Also the
// entity's reference resolution, in the caller's organization only.
import { randomUUID } from 'node:crypto';
import type { GraphQLClient } from '@switchboard/testing';
import {
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;

const PREVIEW = `query P($id: ID!) { previewCampaign(id: $id, samples: 5) {
  campaignId recipients recipientsAfterSuppression estimatedSegments estimatedMms destinationCountry
  samples { segments } } }`;
const ENTITIES = `query E($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on CampaignPreview { campaignId recipients estimatedSegments estimatedMms destinationCountry } } }`;

interface PreviewView {
  campaignId: string;
  recipients: number;
  recipientsAfterSuppression: number;
  estimatedSegments: number;
  estimatedMms: number;
  destinationCountry: string | null;
  samples: { segments: number }[];
}

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack, {
    CAMPAIGN_RUNNER_ENABLED: 'false',
    CARRIER_WORKER_ENABLED: 'false',
  });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await stack?.stop();
});

/** A campaign to a static list: one contact with a long UCS-2 name (3 segments), two plain. */
async function campaignFor(client: GraphQLClient): Promise<string> {
  const list = (
    await client.expectData<{ createContactList: { id: string } }>(
      `mutation { createContactList(input: { name: "Estimate" }) { id } }`,
    )
  ).createContactList;
  const ids: string[] = [];
  const people = [
    { phoneNumber: '+14155557100', attributes: { first_name: 'Ann' } },
    { phoneNumber: '+14155557101', attributes: {} },
    // 150 UCS-2 characters with the rest of the template: 3 segments of 67.
    { phoneNumber: '+447911123456', attributes: { first_name: 'Ж'.repeat(150) } },
  ];
  for (const input of people) {
    ids.push(
      (
        await client.expectData<{ createContact: { id: string } }>(
          `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
          { input },
        )
      ).createContact.id,
    );
  }
  await client.expectData(
    `mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { id } }`,
    { id: list.id, ids },
  );
  return (
    await client.expectData<{ createCampaign: { id: string } }>(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`,
      {
        input: {
          name: 'Estimate',
          listId: list.id,
          template: 'Hi {{first_name|there}}, our sale starts today.',
          ratePerMinute: 60,
        },
      },
    )
  ).createCampaign.id;
}

it('totals the segments of every recipient, with the MMS count and the most common country', async () => {
  const org = randomUUID();
  const client = app.gql(await stack.tokens.user(org));
  const id = await campaignFor(client);
  const { previewCampaign } = await client.expectData<{ previewCampaign: PreviewView }>(PREVIEW, {
    id,
  });
  expect(previewCampaign).toMatchObject({
    campaignId: id,
    recipients: 3,
    recipientsAfterSuppression: 3,
    estimatedSegments: 1 + 1 + 3,
    estimatedMms: 0,
    destinationCountry: 'US',
  });
  expect(previewCampaign.samples.map((s) => s.segments).sort()).toEqual([1, 1, 3]);
});

it('resolves the CampaignPreview entity by campaign id for its organization only', async () => {
  const org = randomUUID();
  const client = app.gql(await stack.tokens.user(org));
  const id = await campaignFor(client);
  const representations = [{ __typename: 'CampaignPreview', campaignId: id }];
  const mine = await client.expectData<{ _entities: (Partial<PreviewView> | null)[] }>(ENTITIES, {
    representations,
  });
  expect(mine._entities).toEqual([
    {
      campaignId: id,
      recipients: 3,
      estimatedSegments: 5,
      estimatedMms: 0,
      destinationCountry: 'US',
    },
  ]);
  const other = app.gql(await stack.tokens.user(randomUUID()));
  const theirs = await other.expectData<{ _entities: unknown[] }>(ENTITIES, { representations });
  expect(theirs._entities).toEqual([null]);
});
