// The core loop end to end: a customer sends through the gateway, a (simulated) SMSGate phone
// sends it, the statuses come back; replies arrive in conversations.
import type { GraphQLClient } from '@switchboard/testing';
import type { AgentLogEntry } from '@switchboard/device-agent';
import { customer, until } from './support';
import { enrollPhone, stopPhones } from './phones';

const MESSAGE =
  'id status deviceId attempt error { code } scheduledAt dispatchedAt sentAt deliveredAt expiredAt canceledAt conversationId';

interface MessageView {
  id: string;
  status: string;
  deviceId: string | null;
  attempt: number;
  error: { code: string } | null;
  scheduledAt: string | null;
  canceledAt: string | null;
  dispatchedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  expiredAt: string | null;
  conversationId: string | null;
}

afterAll(stopPhones);

async function send(api: GraphQLClient, input: Record<string, unknown>): Promise<MessageView> {
  const { sendMessage } = await api.expectData<{ sendMessage: MessageView }>(
    `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE} } }`,
    { input },
  );
  return sendMessage;
}

async function message(api: GraphQLClient, id: string): Promise<MessageView> {
  return (
    await api.expectData<{ message: MessageView }>(
      `query($id: ID!) { message(id: $id) { ${MESSAGE} } }`,
      { id },
    )
  ).message;
}

const statusOf = (api: GraphQLClient, id: string, status: string) =>
  until(`${id} to be ${status}`, async () => {
    const m = await message(api, id);
    return m.status === status ? m : undefined;
  });

describe('sending through the device fleet', () => {
  it('sends a message through a phone: QUEUED → DISPATCHED → SENT → DELIVERED, each visible by query', async () => {
    const { api } = await customer('sender');
    await enrollPhone(api, { sendDelayMs: 600, deliveryDelayMs: 600 });
    const sent = await send(api, { to: '+14155550123', body: 'Your code is 123456' });
    expect(sent.status).toBe('QUEUED');
    // Poll like a dashboard would and note when each status first shows.
    const seen = new Map<string, number>();
    let last = sent;
    await until('DELIVERED', async () => {
      last = await message(api, sent.id);
      if (!seen.has(last.status)) seen.set(last.status, Date.now());
      return last.status === 'DELIVERED';
    });
    // The phone holds each step 600 ms, so a poller sees every status on the way. How soon a
    // status shows is a latency figure (bench/dispatch-latency.ts), not asserted here.
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['DISPATCHED', 'SENT', 'DELIVERED']));
    for (const [status, at] of [
      ['DISPATCHED', last.dispatchedAt],
      ['SENT', last.sentAt],
      ['DELIVERED', last.deliveredAt],
    ] as const) {
      // Seen by query no earlier than the step happened.
      expect([status, seen.get(status)! >= Date.parse(at!) - 50]).toEqual([status, true]);
    }
    expect(Date.parse(last.deliveredAt!)).toBeGreaterThanOrEqual(Date.parse(last.sentAt!));
    expect(Date.parse(last.sentAt!)).toBeGreaterThanOrEqual(Date.parse(last.dispatchedAt!));
  });

  it('turns 50 concurrent identical requests with one idempotency key into one message, sent once', async () => {
    const { api } = await customer('idempotent');
    const log: AgentLogEntry[] = [];
    await enrollPhone(api, { log });
    const input = {
      to: '+14155550129',
      body: 'exactly once',
      idempotencyKey: `order-${Date.now()}`,
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => send(api, input)));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    await statusOf(api, results[0].id, 'DELIVERED');
    await new Promise((r) => setTimeout(r, 500));
    // The phone got it once, and nothing else.
    expect(log.filter((e) => e.event === 'handout').map((e) => e.messageId)).toEqual([
      results[0].id,
    ]);
    const conflicting = await api.errorCodes(
      'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
      { input: { ...input, body: 'something else' } },
    );
    expect(conflicting).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('cancels a message the phone has not sent yet', async () => {
    const { api } = await customer('cancel');
    const log: AgentLogEntry[] = [];
    await enrollPhone(api, { sendDelayMs: 10_000, log });
    const sent = await send(api, { to: '+14155550130', body: 'never mind' });
    await until('the phone to hold it', async () => log.some((e) => e.event === 'handout'));
    const { cancelMessage } = await api.expectData<{ cancelMessage: MessageView }>(
      `mutation($id: ID!) { cancelMessage(id: $id) { ${MESSAGE} } }`,
      { id: sent.id },
    );
    expect(['CANCELED', 'DISPATCHED']).toContain(cancelMessage.status);
    const canceled = await statusOf(api, sent.id, 'CANCELED');
    expect(canceled.sentAt).toBeNull();
    await until('the phone to drop it', async () => log.some((e) => e.event === 'cancelled'));
  });

  it('holds a scheduled message until its time, then sends it', async () => {
    const { api } = await customer('scheduled');
    await enrollPhone(api);
    const scheduledAt = new Date(Date.now() + 3000).toISOString();
    const sent = await send(api, { to: '+14155550131', body: 'later', scheduledAt });
    expect(sent.status).toBe('SCHEDULED');
    await new Promise((r) => setTimeout(r, 1500));
    const held = (await message(api, sent.id)).status;
    // Read before its time, it is still held (a loaded machine may have taken us past it).
    if (Date.now() < Date.parse(scheduledAt)) expect(held).toBe('SCHEDULED');
    const delivered = await statusOf(api, sent.id, 'DELIVERED');
    expect(Date.parse(delivered.dispatchedAt!)).toBeGreaterThanOrEqual(Date.parse(scheduledAt));
  });

  it('moves a message from a failing phone to another one, which delivers it', async () => {
    const { api } = await customer('failover');
    const failing = await enrollPhone(api, {
      outcomes: { delivered: 0, sent: 0, failed: 1 },
      errorCodes: ['RESULT_ERROR_NO_SERVICE'],
    });
    const healthy = await enrollPhone(api);
    // Messaging learns of devices from their events: a phone enrolled a moment ago can still be
    // UNKNOWN_DEVICE for a short while (eventual consistency), as a client would see it.
    await until('messaging to know the phone', async () => {
      const codes = await api.errorCodes(
        'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
        {
          input: {
            to: '+14155550124',
            body: 'probe',
            deviceId: failing.id,
            validUntil: new Date(Date.now() + 1000).toISOString(),
          },
        },
      );
      return !codes.includes('UNKNOWN_DEVICE');
    });
    const sent = await send(api, { to: '+14155550124', body: 'failover', deviceId: failing.id });
    const delivered = await statusOf(api, sent.id, 'DELIVERED');
    expect(delivered.deviceId).toBe(healthy.id);
    expect(delivered.attempt).toBeGreaterThanOrEqual(2);
  });

  it('keeps a message waiting while no phone is online, and expires it at validUntil', async () => {
    const { api } = await customer('offline');
    const validUntil = new Date(Date.now() + 4000).toISOString();
    const sent = await send(api, { to: '+14155550125', body: 'nobody home', validUntil });
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = (await message(api, sent.id)).status;
    // Read before validUntil, it is still waiting (a loaded machine may have taken us past it).
    if (Date.now() < Date.parse(validUntil)) expect(waiting).toBe('QUEUED');
    const expired = await statusOf(api, sent.id, 'EXPIRED');
    expect(expired.error?.code).toBe('EXPIRED');
  });

  it('threads an inbound SMS from the phone into the conversation with that contact', async () => {
    const { api } = await customer('inbound');
    const { device } = await enrollPhone(api);
    const contact = '+14155550126';
    const sent = await send(api, { to: contact, body: 'How was your visit?' });
    await statusOf(api, sent.id, 'DELIVERED');
    await device.receive(contact, 'Great, thanks!');
    const reply = await until('the reply', async () => {
      const { messages } = await api.expectData<{
        messages: { edges: { node: MessageView & { body: string } }[] };
      }>(
        '{ messages(filter: { direction: INBOUND }, first: 5) { edges { node { id status body conversationId } } } }',
      );
      return messages.edges.map((e) => e.node).find((m) => m.body === 'Great, thanks!');
    });
    expect(reply.status).toBe('RECEIVED');
    const outbound = await message(api, sent.id);
    expect(reply.conversationId).toBe(outbound.conversationId);
  });

  it('answers bad input with typed errors and keeps other tenants out', async () => {
    const a = await customer('tenant-a');
    const b = await customer('tenant-b');
    const codes = async (input: Record<string, unknown>) =>
      a.api.errorCodes(
        'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
        { input },
      );
    expect(await codes({ to: 'not a number', body: 'x' })).toEqual(['INVALID_NUMBER']);
    expect(await codes({ to: '+14155550127', body: '' })).toEqual(['BODY_REQUIRED']);
    expect(await codes({ to: '+14155550127', body: 'x'.repeat(2000) })).toEqual(['BODY_TOO_LONG']);
    const { messages } = await a.api.expectData<{ messages: { edges: unknown[] } }>(
      '{ messages(first: 5) { edges { node { id } } } }',
    );
    expect(messages.edges).toHaveLength(0);

    const mine = await send(a.api, { to: '+14155550128', body: 'private' });
    const theirs = await b.api.request('query($id: ID!) { message(id: $id) { id body } }', {
      id: mine.id,
    });
    expect(theirs.data?.message ?? null).toBeNull();
    expect(JSON.stringify(theirs)).not.toContain('private');
  });
});
