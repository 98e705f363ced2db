// GET /downloads/* on the public origin: streamed from compliance with the path and the signed
// token unchanged, no credentials passed on, only the download's headers passed back, errors
// passed through, and nothing but GET/HEAD.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksServer, signingKey } from '@switchboard/testing';
import { startTestGateway } from './support/test-gateway';

describe('the gateway’s /downloads', () => {
  let compliance: Server;
  let jwks: JwksServer;
  let base: string;
  let stop: () => Promise<void>;
  const seen: IncomingMessage[] = [];

  beforeAll(async () => {
    compliance = createServer((req, res) => {
      seen.push(req);
      if (!req.url?.includes('token=good')) {
        res.writeHead(404, { 'content-type': 'application/problem+json', 'x-internal': 'no' });
        return void res.end('{"code":"PRIVACY_REQUEST_NOT_FOUND"}');
      }
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': 'attachment; filename="export.json"',
        'x-internal': 'secret',
      });
      // A large document, written in parts.
      res.write('{"items":[');
      for (let i = 0; i < 2000; i++) res.write(`${i ? ',' : ''}"${'x'.repeat(500)}"`);
      res.end(']}');
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
        SUBGRAPH_COMPLIANCE_URL: `http://127.0.0.1:${port}/graphql`,
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

  it('streams a download from compliance, path and token unchanged, no credentials', async () => {
    const response = await fetch(`${base}/downloads/abc-123?token=good`, {
      headers: { authorization: 'Bearer someone', cookie: 'a=b' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="export.json"');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-internal')).toBeNull();
    const body = (await response.json()) as { items: string[] };
    expect(body.items).toHaveLength(2000);
    const upstream = seen.at(-1)!;
    expect(upstream.url).toBe('/downloads/abc-123?token=good');
    expect(upstream.headers.authorization).toBeUndefined();
    expect(upstream.headers.cookie).toBeUndefined();
    expect(upstream.headers['x-forwarded-for']).toContain('127.0.0.1');
  });

  it('forwards any depth, passes refusals through and allows only GET/HEAD', async () => {
    const refused = await fetch(`${base}/downloads/audit-log/xyz?token=bad`);
    expect(refused.status).toBe(404);
    expect(seen.at(-1)!.url).toBe('/downloads/audit-log/xyz?token=bad');
    expect(await refused.json()).toEqual({ code: 'PRIVACY_REQUEST_NOT_FOUND' });
    const posted = await fetch(`${base}/downloads/abc?token=good`, { method: 'POST' });
    expect(posted.status).toBe(405);
  });
});
