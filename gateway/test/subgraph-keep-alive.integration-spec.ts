// The keep-alive race between the gateway's connection pool and its subgraphs: a subgraph
// closes a connection that has been idle for its keep-alive timeout; a request the gateway sends
// on that connection at that moment fails with `read ECONNRESET`. The gateway closes idle
// connections first (SUBGRAPH_IDLE_TIMEOUT_MS below the subgraphs' keep-alive timeout) and sends
// a query, never a mutation, again when its connection was reset anyway.
import type { Server } from 'node:http';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import { TestTokenIssuer } from '@switchboard/testing';
import { startTestGateway } from './support/test-gateway';

/** The subgraphs' keep-alive timeout in these tests. */
const SUBGRAPH_KEEP_ALIVE_MS = 600;
const link =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

/**
 * A real subgraph server whose connections die after `SUBGRAPH_KEEP_ALIVE_MS` of idleness, in
 * the worst case of the race: a front that resets a connection when a request arrives on it
 * after that long (the subgraph's close and the request crossing on the wire), so the race
 * happens every time rather than once in a while.
 */
async function subgraph(
  typeDefs: string,
  resolvers: Record<string, Record<string, () => unknown>>,
) {
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(`${link}\n${typeDefs}`), resolvers }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000; // the front below enforces the short one

  const connections = new Set<{ client: Socket; lastActivity: number }>();
  const stats = { accepted: 0, resets: 0, lastActivity: Date.now() };
  const front = createServer((client) => {
    stats.accepted++;
    const connection = { client, lastActivity: Date.now() };
    connections.add(connection);
    const upstream = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const touch = () => (connection.lastActivity = stats.lastActivity = Date.now());
    client.on('data', (chunk) => {
      if (Date.now() - connection.lastActivity >= SUBGRAPH_KEEP_ALIVE_MS) {
        stats.resets++;
        upstream.destroy();
        client.resetAndDestroy();
        return;
      }
      touch();
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      touch();
      client.write(chunk);
    });
    const close = () => {
      connections.delete(connection);
      upstream.destroy();
      client.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(front.address() as AddressInfo).port}/graphql`,
    typeDefs: `${link}\n${typeDefs}`,
    stats,
    /** Connections the gateway holds open to this subgraph. */
    open: () => connections.size,
    /** How long no byte has moved on any connection. */
    idleFor: () => Date.now() - stats.lastActivity,
    async stop() {
      for (const { client } of connections) client.destroy();
      await new Promise((r) => front.close(r));
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await apollo.stop();
    },
  };
}

async function until(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the gateway and its subgraphs keep-alive connections', () => {
  let issuer: TestTokenIssuer;
  let greetings: Awaited<ReturnType<typeof subgraph>>;
  let counter: Awaited<ReturnType<typeof subgraph>>;
  let bumps = 0;
  let stopGateway: (() => Promise<void>) | undefined;
  let gatewayUrl: string;

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    greetings = await subgraph('type Query { hello: String! }', {
      Query: { hello: () => 'hello' },
    });
    counter = await subgraph('type Query { world: String! } type Mutation { bump: Int! }', {
      Query: { world: () => 'world' },
      Mutation: { bump: () => ++bumps },
    });
  });
  afterAll(async () => {
    await greetings?.stop();
    await counter?.stop();
    await issuer?.stop();
  });
  afterEach(async () => {
    await stopGateway?.();
    stopGateway = undefined;
  });

  async function boot(idleTimeoutMs: number) {
    const gateway = await startTestGateway({
      subgraphs: [
        { name: 'greetings', url: greetings.url, typeDefs: greetings.typeDefs },
        { name: 'counter', url: counter.url, typeDefs: counter.typeDefs },
      ],
      env: {
        ...issuer.authEnv,
        SUBGRAPH_SHARED_SECRET: 'keep-alive-test-subgraph-secret-0123',
        SUBGRAPH_IDLE_TIMEOUT_MS: String(idleTimeoutMs),
      },
    });
    gatewayUrl = `${gateway.origin}/graphql`;
    stopGateway = () => gateway.stop();
  }

  async function graphql(query: string) {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  }

  /** `n` queries at once, each reaching both subgraphs; the errors they answered with. */
  async function burst(n: number): Promise<string[]> {
    const answers = await Promise.all(Array.from({ length: n }, () => graphql('{ hello world }')));
    for (const answer of answers)
      if (!answer.errors) expect(answer.data).toEqual({ hello: 'hello', world: 'world' });
    return answers.flatMap((a) => a.errors?.map((e) => e.message) ?? []);
  }

  /** Lets every subgraph connection sit idle for longer than the subgraphs keep it. */
  const idlePastTheSubgraphsTimeout = () =>
    until(
      'the subgraph connections to be idle past their keep-alive timeout',
      () =>
        greetings.idleFor() > SUBGRAPH_KEEP_ALIVE_MS + 100 &&
        counter.idleFor() > SUBGRAPH_KEEP_ALIVE_MS + 100,
    );

  const resets = () => greetings.stats.resets + counter.stats.resets;

  it('closes idle connections before the subgraphs do: idle past their timeout, then a burst, without an error', async () => {
    await boot(SUBGRAPH_KEEP_ALIVE_MS / 2);
    expect(await burst(20)).toEqual([]);
    const resetsBefore = resets();

    await idlePastTheSubgraphsTimeout();
    // The gateway had closed them all before a subgraph would have.
    expect(greetings.open() + counter.open()).toBe(0);
    expect(await burst(20)).toEqual([]);
    await idlePastTheSubgraphsTimeout();
    expect(await burst(20)).toEqual([]);
    expect(resets() - resetsBefore).toBe(0);
  });

  it('sends a query again on a new connection when a subgraph reset the pooled one', async () => {
    // A pool that outlives the subgraphs' keep-alive: every pooled connection gets reset.
    await boot(60_000);
    expect(await burst(20)).toEqual([]);
    const resetsBefore = resets();

    await idlePastTheSubgraphsTimeout();
    expect(greetings.open() + counter.open()).toBeGreaterThan(0);
    expect(await burst(20)).toEqual([]);
    expect(resets() - resetsBefore).toBeGreaterThan(0);
  });

  it('never sends a mutation twice: a reset connection fails it, and it ran nowhere', async () => {
    await boot(60_000);
    expect((await graphql('mutation { bump }')).errors).toBeUndefined(); // a pooled connection
    const ranBefore = bumps;
    const acceptedBefore = counter.stats.accepted;
    const resetsBefore = counter.stats.resets;

    await idlePastTheSubgraphsTimeout();
    const failed = await graphql('mutation { bump }');
    expect(failed.errors?.[0].message).toMatch(/ECONNRESET/);
    expect(counter.stats.resets - resetsBefore).toBe(1);
    expect(counter.stats.accepted).toBe(acceptedBefore); // no new connection for a second try
    expect(bumps).toBe(ranBefore);

    // The caller may retry, knowing it did not run: it does, once.
    expect(await graphql('mutation { bump }')).toEqual({ data: { bump: ranBefore + 1 } });
    expect(bumps).toBe(ranBefore + 1);
  });
});
