// A subgraph built with the service kit answers the gateway only, under the gateway's limits:
// called directly it refuses a request without the shared secret (401) or with a wrong one
// (403) and refuses a too-deep query itself; through the gateway it answers. Its other paths
// (health, a device API, webhooks) stay reachable without the secret.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { Field, GraphQLModule, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import { JwtVerifier } from '@switchboard/auth';
import { createLogger, MetricsModule } from '@switchboard/observability';
import { createServiceApp, SUBGRAPH_SECRET_HEADER } from '@switchboard/service-kit';
import { graphqlClient, TestTokenIssuer } from '@switchboard/testing';
import { composeSupergraph } from '../src/compose';
import { loadGatewayConfig } from '../src/config';
import { EdgeAuthenticator } from '../src/edge-auth';
import { createGateway } from '../src/gateway-server';

const SECRET = 'integration-subgraph-secret-0123456789';

@ObjectType()
class Nested {
  @Field()
  name!: string;
  @Field(() => Nested, { nullable: true })
  child?: Nested;
}

const nested = (depth: number): Nested | undefined =>
  depth <= 0 ? undefined : { name: `n${depth}`, child: nested(depth - 1) };

@Resolver()
class ProbeResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }

  @Query(() => Nested)
  node(): Nested {
    return nested(10)!;
  }
}

@Controller('api/mobile/v1')
class PublicController {
  @Get('ping')
  ping(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloFederationDriverConfig>({
      driver: ApolloFederationDriver,
      autoSchemaFile: { federation: 2 },
    }),
    MetricsModule.forRoot({ service: 'probe', defaultMetrics: false }),
  ],
  providers: [ProbeResolver],
  controllers: [PublicController],
})
class ProbeSubgraphModule {}

const deep = (levels: number) =>
  `{ node { ${'child { '.repeat(levels)}name${' }'.repeat(levels)} } }`;

describe('a subgraph behind the gateway', () => {
  let subgraph: NestExpressApplication;
  let subgraphUrl: string;
  let issuer: TestTokenIssuer;
  let gateway: Awaited<ReturnType<typeof createGateway>>;
  let gatewayUrl: string;

  beforeAll(async () => {
    subgraph = await createServiceApp(ProbeSubgraphModule, {
      service: 'probe',
      config: {
        NODE_ENV: 'production',
        TRUST_PROXY: 'loopback',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
        SUBGRAPH_SHARED_SECRET: SECRET,
        MAX_DEPTH: 4,
      },
      logger: createLogger({ service: 'probe', level: 'silent' }),
    });
    await subgraph.listen(0, '127.0.0.1');
    subgraphUrl = `http://127.0.0.1:${(subgraph.getHttpServer().address() as AddressInfo).port}`;

    issuer = await TestTokenIssuer.start();
    const sdl = await graphqlClient(`${subgraphUrl}/graphql`)
      .with({ [SUBGRAPH_SECRET_HEADER]: SECRET })
      .expectData<{ _service: { sdl: string } }>('{ _service { sdl } }');
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(
      file,
      composeSupergraph([
        { name: 'probe', url: `${subgraphUrl}/graphql`, typeDefs: sdl._service.sdl },
      ]),
    );
    const config = loadGatewayConfig({
      ...issuer.authEnv,
      NODE_ENV: 'production',
      SUPERGRAPH_FILE: file,
      ACCOUNTS_TOKEN_EXCHANGE_URL: 'http://127.0.0.1:1/unused',
      INTERNAL_API_SECRET: 'x'.repeat(32),
      SUBGRAPH_SHARED_SECRET: SECRET,
      MAX_DEPTH: '20',
    });
    const verifier = new JwtVerifier({
      jwksUrl: issuer.jwksUrl,
      issuer: issuer.issuer,
      audience: issuer.audience,
    });
    gateway = await createGateway({
      config,
      authenticator: new EdgeAuthenticator(verifier, { exchange: async () => null }, 60),
      logger: pino({ level: 'silent' }),
    });
    gatewayUrl = `http://127.0.0.1:${await gateway.listen(0, '127.0.0.1')}`;
  });

  afterAll(async () => {
    await gateway?.stop();
    await subgraph?.close();
    await issuer?.stop();
  });

  async function direct(headers: Record<string, string>, query = '{ hello }', path = '/graphql') {
    const response = await fetch(`${subgraphUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'apollo-require-preflight': 'true',
        ...headers,
      },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    return { status: response.status, body };
  }

  it('refuses a direct request without the secret (401) or with a wrong one (403)', async () => {
    const missing = await direct({});
    expect(missing.status).toBe(401);
    expect(missing.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(missing.body.data).toBeUndefined();
    const wrong = await direct({ [SUBGRAPH_SECRET_HEADER]: `${SECRET}x` });
    expect(wrong.status).toBe(403);
    expect(wrong.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    for (const path of ['/graphql/', '/GraphQL', '/graphql/x', '/GraphQL/x/y', '/graphql?x=1'])
      expect([path, (await direct({}, '{ hello }', path)).status]).toEqual([path, 401]);
    const get = await fetch(`${subgraphUrl}/graphql?query=${encodeURIComponent('{ hello }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(401);
    const right = await direct({ [SUBGRAPH_SECRET_HEADER]: SECRET });
    expect(right.status).toBe(200);
    expect(right.body.data).toEqual({ hello: 'world' });
  });

  it('answers the gateway, which sends the secret', async () => {
    const gql = graphqlClient(`${gatewayUrl}/graphql`);
    expect(await gql.expectData('{ hello }')).toEqual({ hello: 'world' });
    expect((await fetch(`${gatewayUrl}/health/ready`)).status).toBe(200);
  });

  it('applies the limits itself: a too-deep query with the right secret is refused', async () => {
    const tooDeep = await direct({ [SUBGRAPH_SECRET_HEADER]: SECRET }, deep(6));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(tooDeep.body.errors?.[0].message).toMatch(/depth/i);
    expect(tooDeep.body.data).toBeUndefined();
    const shallow = await direct({ [SUBGRAPH_SECRET_HEADER]: SECRET }, deep(1));
    expect(shallow.status).toBe(200);
    // The subgraph remembers the texts that passed, never one that was refused.
    for (let i = 0; i < 3; i++) {
      expect((await direct({ [SUBGRAPH_SECRET_HEADER]: SECRET }, deep(1))).status).toBe(200);
      expect((await direct({ [SUBGRAPH_SECRET_HEADER]: SECRET }, deep(6))).status).toBe(400);
    }
    // Through the gateway (whose own limit here is higher) the subgraph still refuses it.
    const viaGateway = await graphqlClient(`${gatewayUrl}/graphql`).request(deep(6));
    expect(viaGateway.data ?? null).toBeNull();
    expect(JSON.stringify(viaGateway.errors)).toMatch(/depth/i);
  });

  it('leaves the paths that are public by design reachable without the secret', async () => {
    expect((await fetch(`${subgraphUrl}/api/mobile/v1/ping`)).status).toBe(200);
    expect((await fetch(`${subgraphUrl}/health/unknown`)).status).toBe(404);
  });
});
