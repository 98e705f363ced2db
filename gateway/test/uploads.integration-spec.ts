// /uploads/* on the public origin: contact import files streamed to messaging (PUT/POST, body
// and content type passed on, no credentials), reports streamed back, other methods refused.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksServer, signingKey } from '@switchboard/testing';
import { startTestGateway } from './support/test-gateway';

describe('the gateway’s /uploads', () => {
  let compliance: Server;
  let jwks: JwksServer;
  let base: string;
  let stop: () => Promise<void>;
  const seen: IncomingMessage[] = [];

  beforeAll(async () => {
    compliance = createServer((req, res) => {
      seen.push(req);
      if (!req.url?.includes('token=good')) {
        res.writeHead(403, { 'content-type': 'application/problem+json', 'x-internal': 'no' });
        return void res.end('{"code":"IMPORT_LINK_INVALID"}');
      }
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-internal': 'secret' });
        res.end(JSON.stringify({ bytes, type: req.headers['content-type'] ?? null }));
      });
    });
    await new Promise<void>((r) => compliance.listen(0, '127.0.0.1', r));
    const port = (compliance.address() as AddressInfo).port;
    jwks = new JwksServer();
    jwks.publish(await signingKey('k1'));
    await jwks.start();
    const gateway = await startTestGateway({
      env: {
        NODE_ENV: 'test',
        AUTH_JWKS_URL: jwks.url,
        SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${port}/graphql`,
      },
    });
    base = gateway.origin;
    stop = () => gateway.stop();
  });

  afterAll(async () => {
    await stop?.();
    await jwks?.stop();
    await new Promise((r) => compliance?.close(r));
  });

  it('streams an upload to messaging, path, token and content type unchanged, no credentials', async () => {
    const file = 'phone,name\n' + '+14155550100,Ann\n'.repeat(50_000);
    const response = await fetch(`${base}/uploads/contact-imports/abc?token=good`, {
      method: 'PUT',
      headers: { authorization: 'Bearer someone', 'content-type': 'text/csv' },
      body: file,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-internal')).toBeNull();
    expect(await response.json()).toEqual({ bytes: Buffer.byteLength(file), type: 'text/csv' });
    const upstream = seen.at(-1)!;
    expect(upstream.url).toBe('/uploads/contact-imports/abc?token=good');
    expect(upstream.method).toBe('PUT');
    expect(upstream.headers.authorization).toBeUndefined();
  });

  it('passes errors through and refuses other methods', async () => {
    const bad = await fetch(`${base}/uploads/contact-imports/abc?token=bad`, {
      method: 'POST',
      body: 'x',
    });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toEqual({ code: 'IMPORT_LINK_INVALID' });
    const del = await fetch(`${base}/uploads/contact-imports/abc?token=good`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, PUT, POST');
  });
});
