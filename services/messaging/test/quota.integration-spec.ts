// Messaging's side of billing against real PostgreSQL and Kafka: the projection of
// billing.quota.v1 (libs/quota) and the quota pre-send policy. The billing service is played by
// the test (it publishes quota states with the outbox's envelope).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { billingV1, Topics } from '@switchboard/contracts';
import type { GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { MESSAGE_FIELDS, send, type MessageView } from './support/messaging-api';
import {
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

type QuotaInit = MessageInitShape<typeof billingV1.QuotaStateSchema>;

let stack: MessagingStack;
let app: RunningApp;
let billing: FakeService;

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack);
  billing = new FakeService(stack.broker.brokers, 'billing');
}, 90_000);

afterAll(async () => {
  await billing?.stop();
  await app?.close();
  await stack?.stop();
});

const usd = (amountMinor: bigint) => ({ currencyCode: 'USD', amountMinor });

function quota(orgId: string, over: Partial<QuotaInit>): Promise<string> {
  return billing.publish(Topics.billing.quota, orgId, orgId, {
    orgId,
    planId: 'free',
    remainingIncludedSegments: 0n,
    walletAvailable: usd(0n),
    maxSegmentPrice: usd(2n),
    overageAllowed: false,
    blocked: false,
    updatedAt: timestampFromDate(new Date()),
    ...over,
  } as QuotaInit);
}

async function client(orgId: string): Promise<GraphQLClient> {
  return app.gql(await stack.tokens.user(orgId));
}

describe('the quota pre-send policy', () => {
  it('sends while billing has published nothing, then refuses past the allowance and the wallet', async () => {
    const orgId = randomUUID();
    const alice = await client(orgId);
    expect((await send(alice, { to: '+14155550101', body: 'no quota yet' })).status).toBe('QUEUED');

    await handled(stack, [await quota(orgId, { remainingIncludedSegments: 2n, version: 1n })]);
    expect((await send(alice, { to: '+14155550101', body: 'one' })).status).toBe('QUEUED');
    expect((await send(alice, { to: '+14155550101', body: 'two' })).status).toBe('QUEUED');
    expect(await send(alice, { to: '+14155550101', body: 'three' })).toMatchObject({
      status: 'REJECTED',
      error: { code: 'QUOTA_EXCEEDED' },
    });

    // Billing saw a top-up: 3 cents at 2 cents a segment is one more message.
    await handled(stack, [await quota(orgId, { walletAvailable: usd(3n), version: 2n })]);
    expect((await send(alice, { to: '+14155550101', body: 'paid' })).status).toBe('QUEUED');
    expect(await send(alice, { to: '+14155550101', body: 'short' })).toMatchObject({
      status: 'REJECTED',
      error: { code: 'INSUFFICIENT_FUNDS' },
    });
    // An older state changes nothing.
    await handled(stack, [await quota(orgId, { walletAvailable: usd(100n), version: 1n })]);
    expect((await send(alice, { to: '+14155550101', body: 'still short' })).status).toBe(
      'REJECTED',
    );
  });

  it('accepts exactly what one state covers when 30 sends come at once', async () => {
    const orgId = randomUUID();
    const alice = await client(orgId);
    await handled(stack, [await quota(orgId, { walletAvailable: usd(10n), version: 1n })]);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => send(alice, { to: '+14155550102', body: `burst ${i}` })),
    );
    expect(results.filter((m) => m.status === 'QUEUED')).toHaveLength(5);
    expect(results.filter((m) => m.status === 'REJECTED')).toHaveLength(25);
  });

  it('takes the quota last, so batches and single sends together never exceed it', async () => {
    const orgId = randomUUID();
    const alice = await client(orgId);
    await handled(stack, [await quota(orgId, { remainingIncludedSegments: 12n, version: 1n })]);
    const SEND_MANY = `mutation SendMany($inputs: [SendMessageInput!]!) {
      sendMessages(inputs: $inputs) { results { message { ${MESSAGE_FIELDS} } } } }`;
    const batch = async (b: number): Promise<MessageView[]> => {
      const inputs = Array.from({ length: 10 }, (_, i) => ({
        to: '+14155550103',
        body: `batch ${b} ${i}`,
      }));
      const data = await alice.expectData<{
        sendMessages: { results: Array<{ message: MessageView }> };
      }>(SEND_MANY, { inputs });
      return data.sendMessages.results.map((r) => r.message);
    };
    const results = (
      await Promise.all([
        batch(1),
        batch(2),
        ...Array.from({ length: 10 }, (_, i) =>
          send(alice, { to: '+14155550103', body: `single ${i}` }).then((m) => [m]),
        ),
      ])
    ).flat();
    expect(results).toHaveLength(30);
    expect(results.filter((m) => m.status === 'QUEUED')).toHaveLength(12);
    expect(results.filter((m) => m.error?.code === 'QUOTA_EXCEEDED')).toHaveLength(18);
  });
});
