// A campaign preview's estimated cost through the gateway (issue 13): messaging answers the
// preview (segments per recipient, their total, the MMS count, the destination country) and
// the gateway's query plan hands those totals to billing (`CampaignPreview.estimatedCost`,
// `@requires`), which prices them with the organization's plan and wallet — one query.
import { customer, until } from './support';

const NUMBERS = ['+14155550601', '+14155550602', '+14155550603'];

it('prices a campaign preview with billing in one query', async () => {
  const { api } = await customer('preview-cost');
  const { createContactList } = await api.expectData<{ createContactList: { id: string } }>(
    'mutation { createContactList(input: { name: "Preview" }) { id } }',
  );
  const ids: string[] = [];
  for (const phoneNumber of NUMBERS) {
    const { createContact } = await api.expectData<{ createContact: { id: string } }>(
      'mutation($input: CreateContactInput!) { createContact(input: $input) { id } }',
      { input: { phoneNumber, attributes: { first_name: 'Ann' } } },
    );
    ids.push(createContact.id);
  }
  await api.expectData(
    'mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { id } }',
    { id: createContactList.id, ids },
  );
  const { createCampaign } = await api.expectData<{ createCampaign: { id: string } }>(
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    {
      input: {
        name: 'Preview',
        listId: createContactList.id,
        // 200 GSM-7 characters: 2 segments for each recipient.
        template: `Hi {{first_name|there}}! ${'x'.repeat(191)}`,
        ratePerMinute: 60,
      },
    },
  );
  // Billing registers the organization from accounts' event: the plan is there once it has.
  const preview = await until('the preview priced by billing', async () => {
    const result = await api.request(
      `query($id: ID!) { previewCampaign(id: $id) { recipientsAfterSuppression estimatedSegments
        estimatedMms destinationCountry estimatedCost { total { currencyCode amountMinor }
        includedSegments chargedSegments planId walletSufficient } } }`,
      { id: createCampaign.id },
    );
    return !result.errors && result.data;
  });
  expect(preview).toEqual({
    previewCampaign: {
      recipientsAfterSuppression: 3,
      estimatedSegments: 6,
      estimatedMms: 0,
      destinationCountry: 'US',
      // A new organization: the free plan's 100 included segments cover it.
      estimatedCost: {
        total: { currencyCode: 'USD', amountMinor: '0' },
        includedSegments: 6,
        chargedSegments: 0,
        planId: 'free',
        walletSufficient: true,
      },
    },
  });
});
