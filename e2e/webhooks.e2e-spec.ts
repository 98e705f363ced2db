// Customer webhooks end to end: a customer registers an endpoint through the gateway, a
// (simulated) SMSGate phone sends its message, and the customer's receiver — down at first —
// gets every status change exactly once after it recovers (deduplicated by webhook-id), each
// verified with the Standard Webhooks reference library. A private address is refused.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { customer, until } from './support';
import { enrollPhone, stopPhones } from './phones';

const servers: http.Server[] = [];

afterAll(async () => {
  await stopPhones();
  for (const server of servers) await new Promise((r) => server.close(r));
});

interface Request {
  headers: Record<string, string>;
  body: string;
  answered: number;
}

async function receiver(): Promise<{
  url: string;
  requests: Request[];
  setStatus(s: number): void;
}> {
  const requests: Request[] = [];
  let status = 503;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString(),
        answered: status,
      });
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    requests,
    setStatus: (s) => (status = s),
  };
}

describe('customer webhooks (e2e)', () => {
  it('a receiver down for a while gets every status change of a sent message exactly once, signed', async () => {
    const { api } = await customer('webhooks');
    const refused = await api.errorCodes(
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }',
      { input: { url: 'http://192.168.0.10/hook', eventTypes: ['MESSAGE_STATUS_CHANGED'] } },
    );
    expect(refused).toEqual(['WEBHOOK_ADDRESS_FORBIDDEN']);

    const hook = await receiver();
    const { createWebhookEndpoint } = await api.expectData<{
      createWebhookEndpoint: { secret: string; endpoint: { id: string } };
    }>(
      'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }',
      {
        input: { url: hook.url, eventTypes: ['MESSAGE_STATUS_CHANGED'] },
      },
    );
    await enrollPhone(api);
    const { sendMessage } = await api.expectData<{ sendMessage: { id: string } }>(
      'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
      { input: { to: '+14155550142', body: 'webhook e2e' } },
    );
    await until('DELIVERED', async () => {
      const { message } = await api.expectData<{ message: { status: string } }>(
        'query($id: ID!) { message(id: $id) { status } }',
        { id: sendMessage.id },
      );
      return message.status === 'DELIVERED';
    });
    // Down: every status change was tried (and failed) at least once.
    await until(
      'every status tried once',
      async () => new Set(hook.requests.map((r) => r.headers['webhook-id'])).size >= 4,
    );
    hook.setStatus(200);

    const wh = new Webhook(createWebhookEndpoint.secret);
    const statuses = async () => {
      const ok = hook.requests.filter((r) => r.answered === 200);
      return ok.map(
        (r) =>
          (wh.verify(r.body, r.headers) as { data: { messageId: string; status: string } }).data,
      );
    };
    // Retries come after 30 s (± 20 %).
    await until(
      'every status delivered',
      async () => {
        const seen = (await statuses())
          .filter((d) => d.messageId === sendMessage.id)
          .map((d) => d.status);
        return ['QUEUED', 'DISPATCHED', 'SENT', 'DELIVERED'].every((s) => seen.includes(s)) && seen;
      },
      90_000,
    );
    const okIds = hook.requests
      .filter((r) => r.answered === 200)
      .map((r) => r.headers['webhook-id']);
    expect(new Set(okIds).size).toBe(okIds.length); // each event acknowledged exactly once

    const { webhookDeliveries } = await api.expectData<{
      webhookDeliveries: { nodes: { status: string; attempts: number }[] };
    }>('query($id: ID!) { webhookDeliveries(endpointId: $id) { nodes { status attempts } } }', {
      id: createWebhookEndpoint.endpoint.id,
    });
    expect(webhookDeliveries.nodes.length).toBeGreaterThanOrEqual(4);
    expect(webhookDeliveries.nodes.every((n) => n.status === 'SUCCEEDED' && n.attempts >= 2)).toBe(
      true,
    );
  }, 180_000);
});
