// Campaigns against real PostgreSQL and Kafka: preview, the fan-out through the send path (one
// message per recipient, rendered, CAMPAIGN purpose and low priority, messages(filter:
// {campaignId})), a rerun that never sends twice, pause/resume/cancel, and an opt-out that
// arrives mid-campaign. Compliance is played by the test (policy with quiet hours off).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import type { GraphQLClient } from '@switchboard/testing';
import { CampaignRunnerWorker } from '../src/campaigns/campaign-runner.worker';
import { FakeService } from './support/fake-devices';
import {
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;
let compliance: FakeService;

const CAMPAIGN = `id status ratePerMinute progress { recipientsTotal messagesCreated messagesRejected sendErrors messagesSent messagesDelivered etaSeconds }`;
interface CampaignView {
  id: string;
  status: string;
  progress: {
    recipientsTotal: number;
    messagesCreated: number;
    messagesRejected: number;
    sendErrors: number;
    messagesSent: number;
    messagesDelivered: number;
    etaSeconds: number;
  };
}

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack, {
    CAMPAIGN_POLL_INTERVAL_MS: '100',
    // campaign.progress webhooks are queued (not sent: no worker) to a local endpoint.
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1',
    WEBHOOK_WORKER_ENABLED: 'false',
    // A carrier route only sets a campaign's planned rate here; nothing is sent to a vendor.
    CARRIER_WORKER_ENABLED: 'false',
  });
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  for (const table of ['campaigns', 'webhook_deliveries']) {
    await stack.sql(`CREATE POLICY test_owner_reads ON ${table} TO CURRENT_USER USING (true)`);
  }
}, 90_000);

afterAll(async () => {
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

/** An organization with quiet hours off and a static list of `n` contacts. */
async function tenantWithList(n: number) {
  const org = randomUUID();
  const client = app.gql(await stack.tokens.user(org));
  await handled(stack, [await compliance.policy(org)]);
  const list = (
    await client.expectData<{ createContactList: { id: string } }>(
      `mutation { createContactList(input: { name: "Customers" }) { id } }`,
    )
  ).createContactList;
  const numbers: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const phoneNumber = `+1415555${String(7000 + i)}`;
    const attributes = i % 2 === 0 ? { first_name: `Name${i}` } : {};
    const contact = (
      await client.expectData<{ createContact: { id: string } }>(
        `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
        { input: { phoneNumber, attributes } },
      )
    ).createContact;
    numbers.push(phoneNumber);
    ids.push(contact.id);
  }
  await client.expectData(
    `mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { id } }`,
    { id: list.id, ids },
  );
  return { org, client, listId: list.id, numbers };
}

async function createCampaign(client: GraphQLClient, listId: string, ratePerMinute: number) {
  return (
    await client.expectData<{ createCampaign: CampaignView }>(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN} } }`,
      {
        input: {
          name: 'Spring sale',
          listId,
          template: 'Hi {{first_name|there}}, 20% off today',
          ratePerMinute,
        },
      },
    )
  ).createCampaign;
}

async function act(client: GraphQLClient, action: string, id: string): Promise<CampaignView> {
  const field = `${action}Campaign`;
  return (
    await client.expectData<Record<string, CampaignView>>(
      `mutation($id: ID!) { ${field}(id: $id) { ${CAMPAIGN} } }`,
      { id },
    )
  )[field];
}

async function getCampaign(client: GraphQLClient, id: string): Promise<CampaignView> {
  return (
    await client.expectData<{ campaign: CampaignView }>(
      `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN} } }`,
      {
        id,
      },
    )
  ).campaign;
}

async function messagesOf(org: string, campaignId: string) {
  return stack.sql<{ to_number: string; body: string; status: string; purpose: string }>(
    `SELECT to_number, body, status, purpose FROM messages WHERE org_id = $1 AND campaign_id = $2`,
    [org, campaignId],
  );
}

describe('campaigns', () => {
  it('previews, then sends every recipient exactly one rendered campaign message', async () => {
    const { org, client, listId, numbers } = await tenantWithList(5);
    const campaign = await createCampaign(client, listId, 6000);
    expect(campaign.status).toBe('DRAFT');
    const preview = await client.expectData<{
      previewCampaign: {
        recipients: number;
        recipientsAfterSuppression: number;
        estimatedSeconds: number;
        samples: { text: string; segments: number; encoding: string; missing: string[] }[];
      };
    }>(
      `query($id: ID!) { previewCampaign(id: $id, samples: 5) { recipients recipientsAfterSuppression estimatedSeconds samples { text segments encoding missing } } }`,
      { id: campaign.id },
    );
    expect(preview.previewCampaign).toMatchObject({
      recipients: 5,
      recipientsAfterSuppression: 5,
      estimatedSeconds: 1,
    });
    expect(preview.previewCampaign.samples.map((s) => s.text).sort()).toEqual(
      [
        'Hi Name0, 20% off today',
        'Hi Name2, 20% off today',
        'Hi Name4, 20% off today',
        'Hi there, 20% off today',
        'Hi there, 20% off today',
      ].sort(),
    );
    expect(preview.previewCampaign.samples[0]).toMatchObject({
      segments: 1,
      encoding: 'GSM7',
      missing: [],
    });

    expect((await act(client, 'start', campaign.id)).status).toBe('RUNNING');
    const done = await eventually('campaign completed', async () => {
      const seen = await getCampaign(client, campaign.id);
      return seen.status === 'COMPLETED' ? seen : undefined;
    });
    expect(done.progress).toEqual({
      recipientsTotal: 5,
      messagesCreated: 5,
      messagesRejected: 0,
      sendErrors: 0,
      messagesSent: 0,
      messagesDelivered: 0,
      etaSeconds: 0,
    });
    const sent = await messagesOf(org, campaign.id);
    expect(sent.map((m) => m.to_number).sort()).toEqual([...numbers].sort());
    expect(new Set(sent.map((m) => m.purpose))).toEqual(new Set(['CAMPAIGN']));
    expect(sent.find((m) => m.to_number === numbers[0])?.body).toBe('Hi Name0, 20% off today');
    const listed = await client.expectData<{ messages: { nodes: { id: string }[] } }>(
      `query($id: ID!) { messages(filter: { campaignId: $id }, first: 10) { nodes { id } } }`,
      { id: campaign.id },
    );
    expect(listed.messages.nodes).toHaveLength(5);

    // A runner that starts over (a crash before the cursor moved) finds the same messages.
    await stack.sql(
      `UPDATE campaigns SET status = 'RUNNING', cursor_contact_id = NULL, tokens = 100 WHERE id = $1`,
      [campaign.id],
    );
    await stack.sql(
      `INSERT INTO campaign_run_queue (campaign_id, tenant_id, due_at) VALUES ($1, $2, now())`,
      [campaign.id, org],
    );
    await eventually('rerun completed', async () => {
      const [row] = await stack.sql<{ status: string }>(
        `SELECT status FROM campaigns WHERE id = $1`,
        [campaign.id],
      );
      return row.status === 'COMPLETED';
    });
    expect(await messagesOf(org, campaign.id)).toHaveLength(5);

    // Lifecycle events of its messages move the status counters, once per event.
    const event = (kind: messagingV1.MessageEventKind) => ({
      orgId: org,
      messageId: randomUUID(),
      campaignId: campaign.id,
      kind,
    });
    const sentId = randomUUID();
    const published = [
      await compliance.publish(
        Topics.messaging.message,
        org,
        org,
        event(messagingV1.MessageEventKind.SENT),
        sentId,
      ),
      await compliance.publish(
        Topics.messaging.message,
        org,
        org,
        event(messagingV1.MessageEventKind.SENT),
        sentId,
      ),
      await compliance.publish(
        Topics.messaging.message,
        org,
        org,
        event(messagingV1.MessageEventKind.DELIVERED),
      ),
      await compliance.publish(
        Topics.messaging.message,
        org,
        org,
        event(messagingV1.MessageEventKind.QUEUED),
      ),
    ];
    // The repeated SENT is one event (same id): handled once.
    await handled(stack, [...new Set(published)]);
    expect((await getCampaign(client, campaign.id)).progress).toMatchObject({
      messagesSent: 1,
      messagesDelivered: 1,
    });
  });

  it('holds while paused, continues on resume, and skips a number that opted out meanwhile', async () => {
    const { org, client, listId, numbers } = await tenantWithList(4);
    // One message a second: the test pauses after the first.
    const campaign = await createCampaign(client, listId, 60);
    await act(client, 'start', campaign.id);
    await eventually('first message', async () => (await messagesOf(org, campaign.id)).length >= 1);
    expect((await act(client, 'pause', campaign.id)).status).toBe('PAUSED');
    const held = (await messagesOf(org, campaign.id)).length;
    // Runner passes while paused create nothing (the campaign left the runner's queue).
    const runner = app.app.get(CampaignRunnerWorker);
    await runner.runDue();
    await runner.runDue();
    expect((await messagesOf(org, campaign.id)).length).toBe(held);
    // A number not sent yet opts out (STOP) while the campaign is paused.
    const sentTo = new Set((await messagesOf(org, campaign.id)).map((m) => m.to_number));
    const stopped = numbers.find((n) => !sentTo.has(n))!;
    await handled(stack, [
      await compliance.publish(Topics.compliance.suppression, `${org}:${stopped}`, org, {
        orgId: org,
        phoneNumber: { e164: stopped },
        optedOut: true,
        optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
        optedOutChangedAt: timestampFromDate(new Date()),
        version: 1n,
        updatedAt: timestampFromDate(new Date()),
      }),
    ]);
    // The preview now leaves the opted-out number out.
    const preview = await client.expectData<{
      previewCampaign: {
        recipients: number;
        suppressed: number;
        recipientsAfterSuppression: number;
      };
    }>(
      `query($id: ID!) { previewCampaign(id: $id) { recipients suppressed recipientsAfterSuppression } }`,
      { id: campaign.id },
    );
    expect(preview.previewCampaign).toEqual({
      recipients: 4,
      suppressed: 1,
      recipientsAfterSuppression: 3,
    });
    expect((await act(client, 'resume', campaign.id)).status).toBe('RUNNING');
    const done = await eventually(
      'campaign completed',
      async () => {
        const seen = await getCampaign(client, campaign.id);
        return seen.status === 'COMPLETED' ? seen : undefined;
      },
      30_000,
    );
    expect(done.progress).toMatchObject({ messagesCreated: 3, messagesRejected: 1 });
    const all = await messagesOf(org, campaign.id);
    expect(all).toHaveLength(4);
    expect(all.find((m) => m.to_number === stopped)?.status).toBe('REJECTED');
  }, 60_000);

  it('queues campaign.progress webhooks at each status change, the last with the final counts', async () => {
    const { org, listId } = await tenantWithList(3);
    const owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
    await owner.expectData(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hooks", eventTypes: [CAMPAIGN_PROGRESS] }) { secret } }`,
    );
    const campaign = await createCampaign(owner, listId, 6000);
    await act(owner, 'start', campaign.id);
    await eventually(
      'campaign completed',
      async () => (await getCampaign(owner, campaign.id)).status === 'COMPLETED',
    );
    const deliveries = await stack.sql<{ event_type: string; payload: string }>(
      `SELECT event_type, payload FROM webhook_deliveries WHERE org_id = $1 ORDER BY created_at`,
      [org],
    );
    const bodies = deliveries.map((d) => {
      expect(d.event_type).toBe('campaign.progress');
      return JSON.parse(d.payload) as { type: string; data: Record<string, unknown> };
    });
    expect(bodies[0].data).toMatchObject({ campaignId: campaign.id, status: 'RUNNING' });
    expect(bodies.at(-1)!.data).toMatchObject({
      campaignId: campaign.id,
      status: 'COMPLETED',
      recipientsTotal: 3,
      messagesCreated: 3,
    });
  });

  it('shows the planned rate, the rate now and the ETA from counters, in GraphQL and in campaign.progress webhooks', async () => {
    const { org, listId } = await tenantWithList(12);
    const owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
    await owner.expectData(
      `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hooks", eventTypes: [CAMPAIGN_PROGRESS] }) { secret } }`,
    );
    // 120 a minute: two messages a second, 12 recipients in ~6 s.
    const campaign = await createCampaign(owner, listId, 120);
    const LIVE = `status progress { messagesCreated rateNow plannedRatePerMinute plannedRateLimitedBy etaSeconds eta }`;
    type Live = {
      status: string;
      progress: {
        messagesCreated: number;
        rateNow: number;
        plannedRatePerMinute: number;
        plannedRateLimitedBy: string;
        etaSeconds: number;
        eta: string | null;
      };
    };
    const read = async () =>
      (
        await owner.expectData<{ campaign: Live }>(
          `query($id: ID!) { campaign(id: $id) { ${LIVE} } }`,
          {
            id: campaign.id,
          },
        )
      ).campaign;
    expect((await read()).progress).toMatchObject({
      rateNow: 0,
      plannedRatePerMinute: 120,
      etaSeconds: 0,
      eta: null,
    });
    await act(owner, 'start', campaign.id);
    const mid = await eventually('a few messages created', async () => {
      const seen = await read();
      return seen.progress.messagesCreated >= 3 && seen.progress.messagesCreated <= 9 && seen;
    });
    const asked = Date.now();
    expect(mid.progress.plannedRatePerMinute).toBe(120);
    expect(mid.progress.plannedRateLimitedBy).toBe('REQUESTED');
    // Created ÷ the time since the start, scaled to a minute: about 120 (slots are 5 s).
    expect(mid.progress.rateNow).toBeGreaterThan(30);
    expect(mid.progress.rateNow).toBeLessThanOrEqual(12 * 12);
    const left = 12 - mid.progress.messagesCreated;
    expect(mid.progress.etaSeconds).toBe(Math.ceil((left / 120) * 60));
    expect(Math.abs(new Date(mid.progress.eta!).getTime() - (asked + left * 500))).toBeLessThan(
      5000,
    );
    // Reading it scans nothing: the campaign row holds the ring.
    const [ring] = await stack.sql<{ rate_slots: number[] }>(
      `SELECT rate_slots FROM campaigns WHERE id = $1`,
      [campaign.id],
    );
    expect(ring.rate_slots.length).toBe(12);

    const done = await eventually(
      'campaign completed',
      async () => {
        const seen = await read();
        return seen.status === 'COMPLETED' && seen;
      },
      30_000,
    );
    expect(done.progress).toMatchObject({ messagesCreated: 12, etaSeconds: 0, eta: null });
    expect(done.progress.rateNow).toBeGreaterThan(0);

    const deliveries = await stack.sql<{ payload: string }>(
      `SELECT payload FROM webhook_deliveries WHERE org_id = $1 ORDER BY created_at`,
      [org],
    );
    const data = deliveries.map(
      (d) => (JSON.parse(d.payload) as { data: Record<string, unknown> }).data,
    );
    expect(data[0]).toMatchObject({ status: 'RUNNING', plannedRatePerMinute: 120, rateNow: 0 });
    expect(typeof data[0].eta).toBe('string');
    expect(data.at(-1)).toMatchObject({
      status: 'COMPLETED',
      messagesCreated: 12,
      plannedRatePerMinute: 120,
      etaSeconds: 0,
      eta: null,
    });
    expect(data.at(-1)!.rateNow).toEqual(expect.any(Number));
  }, 60_000);

  it("caps the planned rate at the first route's capacity: a Twilio account's numbers at 1 MPS each", async () => {
    const { org, listId } = await tenantWithList(3);
    const owner = app.gql(await stack.tokens.user(org, 'CUSTOMER'));
    const { createCarrierAccount } = await owner.expectData<{
      createCarrierAccount: { id: string };
    }>(
      `mutation C($input: CreateCarrierAccountInput!) { createCarrierAccount(input: $input) { id } }`,
      {
        input: {
          kind: 'TWILIO',
          name: 'Twilio',
          twilio: { accountSid: `AC${'1'.repeat(32)}`, authToken: 'f'.repeat(32) },
        },
      },
    );
    for (const number of ['+14155550901', '+14155550902']) {
      await owner.expectData(
        `mutation N($input: AddCarrierNumberInput!) { addCarrierNumber(input: $input) { id } }`,
        { input: { carrierAccountId: createCarrierAccount.id, number, sms: true, mms: false } },
      );
    }
    await owner.expectData(
      `mutation C($input: CreateRouteInput!) { createRoute(input: $input) { id } }`,
      {
        input: {
          name: 'Twilio',
          kind: 'TWILIO',
          carrierAccountId: createCarrierAccount.id,
          priority: 1,
        },
      },
    );
    const campaign = await createCampaign(owner, listId, 6000);
    await act(owner, 'start', campaign.id);
    const seen = await eventually('the first step planned', async () => {
      const { campaign: c } = await owner.expectData<{
        campaign: { progress: { plannedRatePerMinute: number; plannedRateLimitedBy: string } };
      }>(
        `query($id: ID!) { campaign(id: $id) { progress { plannedRatePerMinute plannedRateLimitedBy } } }`,
        { id: campaign.id },
      );
      return c.progress.plannedRateLimitedBy === 'CARRIER' && c;
    });
    // 2 numbers × 1 segment a second × 60.
    expect(seen.progress.plannedRatePerMinute).toBe(120);
    await act(owner, 'cancel', campaign.id);
  }, 60_000);

  it('stops for good when canceled', async () => {
    const { org, client, listId } = await tenantWithList(4);
    const campaign = await createCampaign(client, listId, 60);
    await act(client, 'start', campaign.id);
    await eventually('first message', async () => (await messagesOf(org, campaign.id)).length >= 1);
    expect((await act(client, 'cancel', campaign.id)).status).toBe('CANCELED');
    const after = (await messagesOf(org, campaign.id)).length;
    await app.app.get(CampaignRunnerWorker).runDue();
    expect((await messagesOf(org, campaign.id)).length).toBe(after);
    expect(after).toBeLessThan(4);
    expect(
      await client.errorCodes(`mutation($id: ID!) { resumeCampaign(id: $id) { id } }`, {
        id: campaign.id,
      }),
    ).toEqual(['CAMPAIGN_STATE_CONFLICT']);
  }, 60_000);
});
