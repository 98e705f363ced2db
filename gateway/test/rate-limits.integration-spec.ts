// Rate limits at the edge, counted in the gateway's own PostgreSQL database so replicas agree:
// past a limit 429 with Retry-After and RATE_LIMITED; one bucket per API token, per user and
// per client address; health and the JWKS never limited.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { JwtVerifier } from '@switchboard/auth';

import { graphqlClient, ManualClock, TestTokenIssuer } from '@switchboard/testing';
import { composeSupergraph } from '../src/compose';
import { loadGatewayConfig } from '../src/config';
import { EdgeAuthenticator, type TokenExchange } from '../src/edge-auth';
import { EdgeTokenBuckets } from '../src/edge-rate-limit';
import { createGateway } from '../src/gateway-server';
import { gatewayDatabase } from './support/gateway-database';

const typeDefs = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { hello: String! }
`;

async function fixtureSubgraph() {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema([
      { typeDefs: parse(typeDefs), resolvers: { Query: { hello: () => 'world' } } },
    ]),
  });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await apollo.stop();
    },
  };
}

describe('rate limits at the gateway', () => {
  const orgId = '00000000-0000-4000-8000-0000000000aa';
  const clock = new ManualClock();
  let database: Awaited<ReturnType<typeof gatewayDatabase>>;
  let dataSource: DataSource;
  let issuer: TestTokenIssuer;
  let subgraph: Awaited<ReturnType<typeof fixtureSubgraph>>;
  const gateways: Awaited<ReturnType<typeof createGateway>>[] = [];
  const urls: string[] = [];
  let config: ReturnType<typeof loadGatewayConfig>;
  let verifier: JwtVerifier;

  /** API tokens `sbk_<name>` are exchanged for a JWT whose `sub` (the token id) is `<name>`. */
  const exchange: TokenExchange = {
    exchange: async (apiToken) => ({
      accessToken: await issuer.apiToken(orgId, ['messages:read'], {
        sub: `00000000-0000-4000-8000-${apiToken.slice(4).padStart(12, '0')}`,
      }),
      expiresIn: 300,
    }),
  };

  beforeAll(async () => {
    database = await gatewayDatabase();
    dataSource = database.dataSource;
    issuer = await TestTokenIssuer.start();
    subgraph = await fixtureSubgraph();
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(file, composeSupergraph([{ name: 'fixture', url: subgraph.url, typeDefs }]));
    config = loadGatewayConfig({
      ...issuer.authEnv,
      NODE_ENV: 'test',
      SUPERGRAPH_FILE: file,
      ACCOUNTS_TOKEN_EXCHANGE_URL: 'http://127.0.0.1:1/unused',
      INTERNAL_API_SECRET: 'x'.repeat(32),
      RATE_LIMIT_WINDOW_SECONDS: '60',
      RATE_LIMIT_PER_IP: '3',
      RATE_LIMIT_PER_USER: '2',
      RATE_LIMIT_PER_API_TOKEN: '2',
    });
    verifier = new JwtVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
    // Two replicas over one store: they count the same requests.
    for (let i = 0; i < 2; i++) {
      const gateway = await createGateway({
        config,
        authenticator: new EdgeAuthenticator(verifier, exchange, 60),
        logger: pino({ level: 'silent' }),
        rateLimitStore: new EdgeTokenBuckets(dataSource, clock),
      });
      gateways.push(gateway);
      urls.push(`http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`);
    }
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await subgraph?.stop();
    await issuer?.stop();
    await database?.close();
  });

  // Each test's callers come from an address of its own (the test is a trusted proxy on loopback).
  let address = 0;
  const client = (replica = 0) => {
    address++;
    return graphqlClient(`${urls[replica]}/graphql`).with({
      'x-forwarded-for': `203.0.113.${address}`,
    });
  };

  async function post(url: string, headers: Record<string, string>) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    const body = (await response.json()) as {
      errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[];
    };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  }

  it('answers 429 with Retry-After and RATE_LIMITED past the per-address limit, across replicas', async () => {
    address++;
    const ip = { 'x-forwarded-for': `198.51.100.${address}` };
    expect((await post(urls[0], ip)).status).toBe(200);
    expect((await post(urls[1], ip)).status).toBe(200);
    expect((await post(urls[0], ip)).status).toBe(200);
    const refused = await post(urls[1], ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(refused.body.errors?.[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: Number(refused.retryAfter),
    });
    // Another address has a bucket of its own.
    expect((await post(urls[0], { 'x-forwarded-for': `198.51.100.${address + 100}` })).status).toBe(
      200,
    );
    // Health and the keys are never limited.
    expect((await fetch(`${urls[0]}/health/live`, { headers: ip })).status).toBe(200);
    expect((await fetch(`${urls[0]}/.well-known/jwks.json`, { headers: ip })).status).toBe(200);
    expect(
      (await fetch(`${urls[0]}/.well-known/openid-configuration`, { headers: ip })).status,
    ).toBe(200);
    // The window passes.
    clock.advance(61_000);
    expect((await post(urls[1], ip)).status).toBe(200);
  });

  it('refills a bucket at the limit per window: one request every window/limit seconds', async () => {
    address++;
    const ip = { 'x-forwarded-for': `198.51.100.${address}` };
    for (let i = 0; i < 3; i++) expect((await post(urls[i % 2], ip)).status).toBe(200);
    expect((await post(urls[0], ip)).status).toBe(429);
    clock.advance(20_000); // 3 per 60 s: one token back
    expect((await post(urls[1], ip)).status).toBe(200);
    expect((await post(urls[0], ip)).status).toBe(429);
    // One upsert a request: the edge keeps no log of requests (the old log table is gone).
    expect(
      (await dataSource.query(`SELECT to_regclass('rate_limit_hits') IS NULL AS gone`))[0].gone,
    ).toBe(true);
  });

  it('gives each API token a bucket of its own, whatever the address', async () => {
    const first = client().as('sbk_1001');
    expect(await first.expectData('{ hello }')).toEqual({ hello: 'world' });
    await client(1).as('sbk_1001').expectData('{ hello }'); // other address, same token
    expect(await client().as('sbk_1001').errorCodes('{ hello }')).toEqual(['RATE_LIMITED']);
    await first.as('sbk_1002').expectData('{ hello }'); // same address, other token
  });

  it('gives each signed-in user a bucket of its own', async () => {
    const alice = await issuer.user(orgId);
    const bob = await issuer.user(orgId);
    const sameAddress = client();
    await sameAddress.as(alice).expectData('{ hello }');
    await sameAddress.as(alice).expectData('{ hello }');
    expect(await sameAddress.as(alice).errorCodes('{ hello }')).toEqual(['RATE_LIMITED']);
    await sameAddress.as(bob).expectData('{ hello }');
    // Anonymous requests from that address count separately from its users.
    await sameAddress.expectData('{ hello }');
  });

  it('counts refused credentials against the address', async () => {
    const guesser = client();
    for (let i = 0; i < 3; i++)
      expect(await guesser.as('not-a-jwt').errorCodes('{ hello }')).toEqual(['UNAUTHENTICATED']);
    expect(await guesser.as('not-a-jwt').errorCodes('{ hello }')).toEqual(['RATE_LIMITED']);
  });

  it('lets requests through, and logs it, when the store fails', async () => {
    const lines: string[] = [];
    const gateway = await createGateway({
      config,
      authenticator: new EdgeAuthenticator(verifier, exchange, 60),
      logger: pino({ level: 'error' }, { write: (line: string) => void lines.push(line) }),
      rateLimitStore: {
        consume: async () => {
          throw new Error('database unreachable');
        },
      },
    });
    gateways.push(gateway);
    const url = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
    for (let i = 0; i < 5; i++)
      expect(await graphqlClient(`${url}/graphql`).expectData('{ hello }')).toEqual({
        hello: 'world',
      });
    expect(lines.join('\n')).toContain('rate limit store unavailable');
  });
});
