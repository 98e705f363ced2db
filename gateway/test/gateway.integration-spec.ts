// The gateway in front of a small fixture subgraph: authentication at the edge, identity
// forwarding, API token exchange with its cache window, and the hardening of the endpoint.
import { randomUUID } from 'node:crypto';
import { graphqlClient, TestTokenIssuer } from '@switchboard/testing';
import type { TokenExchange } from '../src/edge-auth';
import { fixtureSubgraph } from './support/fixture-subgraph';
import { startTestGateway } from './support/test-gateway';

const SUBGRAPH_SECRET = 'gateway-test-subgraph-secret-0123456789';

const typeDefs = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Query { hello: String!, whoami: String, node(depth: Int): Nested }
  type Nested { child: Nested, name: String }
`;

/** The fixture subgraph: a greeting, who called, and nesting for the depth limit. */
function greetingSubgraph() {
  const nested = (d: number): unknown => (d <= 0 ? null : { name: `n${d}`, child: nested(d - 1) });
  return fixtureSubgraph(typeDefs, {
    Query: {
      hello: () => 'world',
      whoami: (_: unknown, __: unknown, ctx: { auth?: string }) => ctx.auth ?? null,
      node: (_: unknown, args: { depth?: number }) => nested(args.depth ?? 3),
    },
  });
}

class CountingExchange implements TokenExchange {
  calls = 0;
  revoked = new Set<string>();
  constructor(
    private readonly issuer: TestTokenIssuer,
    private readonly orgId: string,
  ) {}
  async exchange(apiToken: string) {
    this.calls++;
    if (this.revoked.has(apiToken) || !apiToken.startsWith('sbk_good')) return null;
    return {
      accessToken: await this.issuer.apiToken(this.orgId, ['messages:read']),
      expiresIn: 300,
    };
  }
}

describe('the gateway', () => {
  const orgId = randomUUID();
  let issuer: TestTokenIssuer;
  let subgraph: Awaited<ReturnType<typeof greetingSubgraph>>;
  let clock = Date.now();
  let exchange: CountingExchange;
  let stopGateway: () => Promise<void>;
  let url: string;

  async function boot(env: Record<string, string> = {}) {
    exchange = new CountingExchange(issuer, orgId);
    const gateway = await startTestGateway({
      subgraphs: [{ name: 'fixture', url: subgraph.url, typeDefs }],
      env: {
        ...issuer.authEnv,
        SUBGRAPH_SHARED_SECRET: SUBGRAPH_SECRET,
        BODY_LIMIT: '10kb',
        MAX_DEPTH: '6',
        MAX_ALIASES: '3',
        ...env,
      },
      exchange,
      clock: () => clock,
    });
    url = gateway.origin;
    stopGateway = () => gateway.stop();
  }

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    subgraph = await greetingSubgraph();
  });
  afterAll(async () => {
    await subgraph?.stop();
    await issuer?.stop();
  });
  afterEach(async () => stopGateway?.());

  it('serves anonymous callers and forwards a verified token and the request id', async () => {
    await boot();
    const gql = graphqlClient(`${url}/graphql`);
    expect(await gql.expectData('{ hello }')).toEqual({ hello: 'world' });
    const token = await issuer.user(orgId);
    const data = await gql
      .as(token)
      .with({ 'x-request-id': 'req-12345678' })
      .expectData<{ whoami: string }>('{ whoami }');
    expect(data.whoami).toBe(`Bearer ${token}`);
    expect(subgraph.seen.at(-1)?.headers['x-request-id']).toBe('req-12345678');
    // The subgraphs answer the gateway only: it proves itself with the shared secret.
    expect(subgraph.seen.at(-1)?.headers['x-subgraph-secret']).toBe(SUBGRAPH_SECRET);
  });

  it('sends the client address it determined as the last X-Forwarded-For entry', async () => {
    // By default a proxy on loopback (here: the test, as an ingress would) is trusted.
    await boot();
    const gql = graphqlClient(`${url}/graphql`);
    await gql.with({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7' }).expectData('{ hello }');
    expect(subgraph.seen.at(-1)?.headers['x-forwarded-for']).toBe(
      '198.51.100.1, 203.0.113.7, 203.0.113.7',
    );
    await gql.expectData('{ hello }');
    expect(subgraph.seen.at(-1)?.headers['x-forwarded-for']).toBe('127.0.0.1');
    await stopGateway();
    // TRUST_PROXY=false: the peer is the client; what it wrote stays to the left of its address.
    await boot({ TRUST_PROXY: 'false' });
    await graphqlClient(`${url}/graphql`)
      .with({ 'x-forwarded-for': '203.0.113.7' })
      .expectData('{ hello }');
    expect(subgraph.seen.at(-1)?.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
  });

  it('refuses bad tokens at the edge without calling a subgraph', async () => {
    await boot();
    const before = subgraph.seen.length;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    for (const bad of ['not-a-jwt', unsigned, 'sbr_refresh-token-used-as-access']) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bad}` },
        body: JSON.stringify({ query: '{ hello }' }),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect(subgraph.seen.length).toBe(before);
  });

  it('exchanges an API token once per cache window, and stops accepting it after revocation within that window', async () => {
    await boot({ API_TOKEN_CACHE_SECONDS: '60' });
    const gql = graphqlClient(`${url}/graphql`, 'sbk_good_123');
    const first = await gql.expectData<{ whoami: string }>('{ whoami }');
    expect(first.whoami).toMatch(/^Bearer eyJ/); // the subgraph sees an internal JWT, never the API token
    await gql.expectData('{ hello }');
    expect(exchange.calls).toBe(1);
    exchange.revoked.add('sbk_good_123');
    clock += 59_000;
    await gql.expectData('{ hello }'); // still inside the documented window
    clock += 2_000;
    expect(await gql.errorCodes('{ hello }')).toEqual(['UNAUTHENTICATED']);
    expect(await graphqlClient(`${url}/graphql`, 'sbk_unknown').errorCodes('{ hello }')).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('limits depth and aliases, and hides the schema in production', async () => {
    await boot({ NODE_ENV: 'production' });
    const gql = graphqlClient(`${url}/graphql`);
    const deep =
      '{ node(depth: 9) { child { child { child { child { child { child { child { name } } } } } } } } }';
    expect((await gql.request(deep)).errors?.[0].message).toMatch(/depth/i);
    expect(
      (await gql.request('{ a: hello b: hello c: hello d: hello e: hello }')).errors?.[0].message,
    ).toMatch(/alias/i);
    expect((await gql.request('{ __schema { types { name } } }')).errors?.[0].message).toMatch(
      /introspection/i,
    );
    const typo = await gql.request('{ helo }');
    expect(typo.errors?.[0].message).not.toMatch(/Did you mean/);
  });

  it('prevents CSRF, limits the body size and answers malformed bodies with a 4xx', async () => {
    await boot();
    const simple = await fetch(`${url}/graphql?query=${encodeURIComponent('{ hello }')}`);
    expect(simple.status).toBe(400);
    const tooBig = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ hello } # ${'x'.repeat(20_000)}` }),
    });
    expect(tooBig.status).toBe(413);
    expect(
      ((await tooBig.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions
        .code,
    ).toBe('PAYLOAD_TOO_LARGE');
    const malformed = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(malformed.status).toBe(400);
  });

  it('is ready while its subgraphs answer, and not when one is down', async () => {
    await boot();
    // Metrics are served on a port of their own (METRICS_PORT), never on the public one.
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    await subgraph.stop();
    try {
      const down = await fetch(`${url}/health/ready`);
      expect(down.status).toBe(503);
      // Public: up or down, never why (the reason names internal addresses; it is logged).
      const body = await down.text();
      expect(JSON.parse(body)).toEqual({
        status: 'error',
        details: { subgraphs: { status: 'down' } },
      });
      expect(body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|fixture/);
    } finally {
      subgraph = await greetingSubgraph();
    }
  });
});
