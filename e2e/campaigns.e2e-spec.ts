// Contacts and campaigns end to end (issue 13), through the gateway with simulated SMSGate
// phones (tools/device-agent): a CSV imported through the gateway's /uploads (a signed upload
// link), a campaign over 5 phones — paced (from the agents' own logs), every recipient exactly
// one message, pause holds, a STOP while paused stops that number, resume completes — and an
// OTP sent during a campaign on the same phone overtakes the campaign's queued messages; cancel
// stops. A new organization's free plan includes 100 segments, so each organization here sends
// fewer (the 1,000- and 10,000-recipient runs are benchmarks, not CI).
import type { GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { customer, until, updateCompliancePolicy } from './support';
import { enrollPhone, stopPhones, type EnrollOptions } from './phones';

/** Quick phones: 20 ms to send, 20 ms to be delivered. */
const PHONE: EnrollOptions = { name: 'campaign phone', sendDelayMs: 20, deliveryDelayMs: 20 };

const p = platform();
/** The e2e platform's devices PACING_WINDOW_MS (libs/testing platform): 30 segments per window. */
const PACING_WINDOW_MS = 3000;

afterAll(stopPhones);

/** A static list filled by a CSV upload through the gateway (the signed link it is given). */
async function importList(api: GraphQLClient, numbers: string[]): Promise<string> {
  const { createContactList } = await api.expectData<{ createContactList: { id: string } }>(
    'mutation { createContactList(input: { name: "Customers" }) { id } }',
  );
  const { createContactImport } = await api.expectData<{
    createContactImport: { import: { id: string }; uploadUrl: string };
  }>(
    'mutation($input: CreateContactImportInput) { createContactImport(input: $input) { import { id } uploadUrl } }',
    { input: { listId: createContactList.id } },
  );
  // The link names the public origin; here that is the gateway's address.
  const link = new URL(createContactImport.uploadUrl);
  const gatewayOrigin = new URL(p.graphqlUrl!).origin;
  const csv = [
    'phone,first_name,city',
    ...numbers.map((n, i) => `${n},${i % 2 === 0 ? `Name${i}` : ''},City${i % 5}`),
  ].join('\n');
  const response = await fetch(`${gatewayOrigin}${link.pathname}${link.search}`, {
    method: 'PUT',
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  expect(response.status).toBe(200);
  const result = (await response.json()) as { status: string; rowsAccepted: number };
  expect(result).toMatchObject({ status: 'COMPLETED', rowsAccepted: numbers.length });
  return createContactList.id;
}

const CAMPAIGN = `id status progress { recipientsTotal messagesCreated messagesRejected messagesDelivered }`;
interface CampaignView {
  id: string;
  status: string;
  progress: {
    recipientsTotal: number;
    messagesCreated: number;
    messagesRejected: number;
    messagesDelivered: number;
  };
}

async function campaign(api: GraphQLClient, id: string): Promise<CampaignView> {
  return (
    await api.expectData<{ campaign: CampaignView }>(
      `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN} } }`,
      { id },
    )
  ).campaign;
}

async function act(api: GraphQLClient, action: string, id: string): Promise<CampaignView> {
  const field = `${action}Campaign`;
  return (
    await api.expectData<Record<string, CampaignView>>(
      `mutation($id: ID!) { ${field}(id: $id) { ${CAMPAIGN} } }`,
      { id },
    )
  )[field];
}

async function startCampaign(api: GraphQLClient, listId: string): Promise<string> {
  const { createCampaign } = await api.expectData<{ createCampaign: { id: string } }>(
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    {
      input: {
        name: 'Spring sale',
        listId,
        template: 'Hi {{first_name|there}}, spring sale in {{city}}',
        ratePerMinute: 6000,
      },
    },
  );
  expect((await act(api, 'start', createCampaign.id)).status).toBe('RUNNING');
  return createCampaign.id;
}

/** Every message of a campaign: recipient, status, when created. */
async function campaignMessages(api: GraphQLClient, campaignId: string) {
  const all: { id: string; to: string; status: string; createdAt: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: {
      messages: {
        nodes: { id: string; to: string; status: string; createdAt: string }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await api.expectData(
      'query($id: ID!, $after: String) { messages(filter: { campaignId: $id }, first: 100, after: $after) { nodes { id to status createdAt } pageInfo { hasNextPage endCursor } } }',
      { id: campaignId, after },
    );
    all.push(...page.messages.nodes);
    if (!page.messages.pageInfo.hasNextPage) return all;
    after = page.messages.pageInfo.endCursor;
  }
}

const numbersFrom = (start: number, n: number) =>
  Array.from({ length: n }, (_, i) => `+1415${6_200_000 + start + i}`);

describe('campaigns', () => {
  it('sends a campaign over 5 phones: paced, one message per recipient; pause holds, STOP stops that number, resume completes', async () => {
    const { api, orgId } = await customer('campaign');
    await updateCompliancePolicy(api, orgId, 'quietHoursEnabled: false');
    const fleet = await Promise.all(Array.from({ length: 5 }, () => enrollPhone(api, PHONE)));
    const recipients = numbersFrom(0, 80);
    const listId = await importList(api, recipients);
    const id = await startCampaign(api, listId);

    await until(
      'some messages created',
      async () => (await campaign(api, id)).progress.messagesCreated >= 20,
    );
    const paused = await act(api, 'pause', id);
    expect(paused.status).toBe('PAUSED');
    const sentTo = new Set((await campaignMessages(api, id)).map((m) => m.to));
    const held = sentTo.size;
    const stopped = recipients.find((n) => !sentTo.has(n))!;
    // The recipient replies STOP (to one of the phones); wait until messaging refuses the number.
    await fleet[0].device.receive(stopped, 'STOP');
    await until(
      'messaging to refuse the opted-out number',
      async () => {
        const { sendMessage } = await api.expectData<{
          sendMessage: { status: string; error: { code: string } | null };
        }>(
          'mutation($input: SendMessageInput!) { sendMessage(input: $input) { status error { code } } }',
          { input: { to: stopped, body: 'probe' } },
        );
        return sendMessage.status === 'REJECTED' && sendMessage.error?.code === 'OPTED_OUT';
      },
      60_000,
    );
    // Paused through the whole STOP round trip: nothing new was created.
    expect((await campaignMessages(api, id)).length).toBe(held);

    expect((await act(api, 'resume', id)).status).toBe('RUNNING');
    await until(
      'the campaign to complete',
      async () => (await campaign(api, id)).status === 'COMPLETED',
      120_000,
    );
    const done = await until(
      'every message delivered',
      async () => {
        const seen = await campaign(api, id);
        return seen.progress.messagesDelivered >= recipients.length - 1 ? seen : undefined;
      },
      120_000,
    );
    expect(done.progress).toMatchObject({
      recipientsTotal: 80,
      messagesCreated: 79,
      messagesRejected: 1,
      messagesDelivered: 79,
    });

    // From the phones' own logs: each recipient got exactly one message, the STOP one none.
    const received = new Map<string, number>();
    for (const { device, log } of fleet) {
      for (const entry of log.filter((e) => e.event === 'handout')) {
        const local = device.messages.get(String(entry.messageId));
        if (!local || !local.text.startsWith('Hi ')) continue;
        received.set(local.phoneNumber, (received.get(local.phoneNumber) ?? 0) + 1);
      }
    }
    expect(received.get(stopped)).toBeUndefined();
    expect(recipients.filter((n) => n !== stopped && received.get(n) !== 1)).toEqual([]);
    // Pacing, per phone: no window of the pacing length holds more than 30 segments.
    for (const { log } of fleet) {
      const handouts = log
        .filter((e) => e.event === 'handout')
        .map((e) => ({ at: Number(e.receivedAt ?? e.t), segments: Number(e.segments ?? 1) }));
      for (const start of handouts) {
        const inWindow = handouts
          .filter((e) => e.at >= start.at && e.at < start.at + PACING_WINDOW_MS - 300)
          .reduce((n, e) => n + e.segments, 0);
        expect(inWindow).toBeLessThanOrEqual(30);
      }
    }
  }, 300_000);

  it('lets an OTP overtake the campaign messages queued on the same phone; cancel stops the campaign', async () => {
    const { api, orgId } = await customer('campaign-otp');
    await updateCompliancePolicy(api, orgId, 'quietHoursEnabled: false');
    const phone = await enrollPhone(api, PHONE);
    // One segment per pacing window: campaign messages queue up on the phone.
    await api.expectData(
      'mutation($id: ID!) { updateDevice(id: $id, input: { sendRatePerMinute: 1 }) { id } }',
      { id: phone.id },
    );
    const listId = await importList(api, numbersFrom(1000, 20));
    const id = await startCampaign(api, listId);
    await until(
      'campaign messages waiting on the phone',
      async () => {
        const { device } = await api.expectData<{ device: { queueDepth: number } }>(
          'query($id: ID!) { device(id: $id) { queueDepth } }',
          { id: phone.id },
        );
        return device.queueDepth >= 3;
      },
      60_000,
    );
    const before = new Set((await campaignMessages(api, id)).map((m) => m.id));
    const { sendMessage: otp } = await api.expectData<{ sendMessage: { id: string } }>(
      'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
      { input: { to: '+14155550142', body: 'Your code is 424242' } },
    );
    await until(
      'the OTP delivered',
      async () => {
        const { message } = await api.expectData<{ message: { status: string } }>(
          'query($id: ID!) { message(id: $id) { status } }',
          { id: otp.id },
        );
        return message.status === 'DELIVERED';
      },
      30_000,
    );
    // Campaign messages created before the OTP were still waiting when the phone got it.
    const handouts = () =>
      phone.log.filter((e) => e.event === 'handout').map((e) => String(e.messageId));
    const otpAt = handouts().indexOf(otp.id);
    expect(otpAt).toBeGreaterThanOrEqual(0);
    expect(
      handouts()
        .slice(0, otpAt)
        .filter((m) => before.has(m)).length,
    ).toBeLessThan(before.size);

    expect((await act(api, 'cancel', id)).status).toBe('CANCELED');
    const atCancel = (await campaignMessages(api, id)).length;
    // Everything created before the cancel drains from the phone; nothing new is created.
    await until(
      'the created messages delivered',
      async () => (await campaign(api, id)).progress.messagesDelivered >= atCancel,
      120_000,
    );
    expect((await campaignMessages(api, id)).length).toBe(atCancel);
    expect(atCancel).toBeLessThan(20);
    // And they were handed out after it: the OTP overtook them.
    expect(
      handouts()
        .slice(otpAt + 1)
        .filter((m) => before.has(m)).length,
    ).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
