// /uploads/* on the public origin: contact import files streamed to messaging (PUT/POST, body
// and content type passed on, no credentials), reports streamed back, other methods refused.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { JwtVerifier } from '@switchboard/auth';
import { JwksServer, signingKey } from '@switchboard/testing';
import { composeSupergraph } from '../src/compose';
import { loadGatewayConfig } from '../src/config';
import { EdgeAuthenticator } from '../src/edge-auth';
import { createGateway } from '../src/gateway-server';

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
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(
      file,
      composeSupergraph([
        {
          name: 'fixture',
          url: 'http://127.0.0.1:1/graphql',
          typeDefs: 'type Query { a: String }',
        },
      ]),
    );
    const config = loadGatewayConfig({
      NODE_ENV: 'test',
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: 'urn:switchboard:accounts',
      AUTH_AUDIENCE: 'switchboard-api',
      SUPERGRAPH_FILE: file,
      ACCOUNTS_TOKEN_EXCHANGE_URL: 'http://127.0.0.1:1/unused',
      INTERNAL_API_SECRET: 'x'.repeat(32),
      SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${port}/graphql`,
    });
    const verifier = new JwtVerifier({
      jwksUrl: jwks.url,
      issuer: 'urn:switchboard:accounts',
      audience: 'switchboard-api',
    });
    const gateway = await createGateway({
      config,
      authenticator: new EdgeAuthenticator(verifier, { exchange: async () => null }, 60),
      logger: pino({ level: 'silent' }),
    });
    base = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
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
