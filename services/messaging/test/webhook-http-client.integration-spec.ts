// The webhook HTTP client against local servers: the SSRF rules are applied to the address a
// delivery actually connects to (a name that resolves to loopback is refused at delivery time,
// whatever it resolved to at registration: DNS rebinding), and a slow receiver times out.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessagingConfig } from '../src/config';
import { WebhookHttpClient } from '../src/webhooks/webhook-http.client';

let server: http.Server;
let port: number;
let hang: http.Server;
let hangPort: number;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(204).end());
  hang = http.createServer(() => undefined); // never answers
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  hangPort = (hang.address() as AddressInfo).port;
});

afterAll(async () => {
  hang.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => hang.close(r));
});

const client = (allowed = '', timeoutMs = 2000) =>
  new WebhookHttpClient({
    WEBHOOK_ALLOWED_ADDRESSES: allowed,
    WEBHOOK_TIMEOUT_MS: timeoutMs,
  } as MessagingConfig);

describe('WebhookHttpClient', () => {
  it('refuses to connect to a loopback address, by IP literal or through DNS', async () => {
    const strict = client();
    const literal = await strict.post(`http://127.0.0.1:${port}/h`, {}, '{}');
    expect(literal).toMatchObject({
      responseCode: null,
      error: expect.stringMatching(/forbidden address 127\.0\.0\.1/),
    });
    // "localhost" resolves at connect time, like a rebinding name: refused then.
    const named = await strict.post(`http://localhost:${port}/h`, {}, '{}');
    expect(named).toMatchObject({
      responseCode: null,
      error: expect.stringMatching(/forbidden address/),
    });
    expect(await strict.hostProblem('localhost')).toMatchObject({ kind: 'forbidden-address' });
    expect(await strict.hostProblem('10.0.0.1')).toMatchObject({
      kind: 'forbidden-address',
      range: 'private (RFC 1918)',
    });
    expect(await strict.hostProblem('no-such-host.invalid')).toMatchObject({ kind: 'invalid' });
  });

  it('connects to allow-listed addresses and reports the answer and latency', async () => {
    const open = client('127.0.0.1,::1');
    const answer = await open.post(
      `http://localhost:${port}/h`,
      { 'content-type': 'application/json' },
      '{}',
    );
    expect(answer).toMatchObject({ responseCode: 204, error: null });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const answer = await client('127.0.0.1', 300).post(`http://127.0.0.1:${hangPort}/h`, {}, '{}');
    expect(answer).toMatchObject({ responseCode: null, error: 'timed out' });
  });
});
