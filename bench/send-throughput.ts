// Send throughput of the messaging service, on demand (not part of the test suite):
//   node bench/send-throughput.cjs      (BENCH_SECONDS=10 BENCH_CONCURRENCY=32 by default)
//
// Measured in one run, on the same machine and the same PostgreSQL:
//   1. a bare Node HTTP server answering every POST with a small JSON body: the ceiling of HTTP;
//   2. pgbench, single-row INSERTs on the same PostgreSQL: the ceiling of one durable write;
//   3. `sendMessage` through GraphQL with a JWT, i.e. validation, segments, message row,
//      dispatch command and lifecycle event in one transaction, outbox relay publishing to Kafka.
//   4. the same through the gateway, with the whole platform running (startPlatform), signed
//      up through the gateway like a customer.
// 3 goes straight to the messaging subgraph (the built service in its own process), so 3 vs 4
// is the gateway's cost. Figures are messages/s and ratios. Build first: node tools/build.mjs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import {
  freePort,
  loadStackEnv,
  createTestDatabase,
  startPlatform,
  startPrivateBroker,
} from '@switchboard/testing';
import { migrate } from '../services/messaging/src/database';
import { AUDIENCE, ISSUER, TokenIssuer } from '../services/messaging/test/support/tokens';

const BENCH_SUBGRAPH_SECRET = 'bench-subgraph-secret-0123456789';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const WARMUP_SECONDS = 2;
const PGBENCH = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';
const root = resolve(__dirname, '..');

interface Result {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** A closed-loop load: CONCURRENCY clients on keep-alive connections, each sending its next request when the last answered. */
async function load(
  url: string,
  body: () => string,
  headers: Record<string, string>,
  seconds: number,
  ok: (status: number, text: string) => boolean,
): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((done) => {
      const payload = body();
      const started = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (ok(res.statusCode ?? 0, Buffer.concat(chunks).toString()))
              latencies.push(performance.now() - started);
            else errors++;
            done();
          });
        },
      );
      req.on('error', () => {
        errors++;
        done();
      });
      req.end(payload);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) await one();
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

async function bareHttp(): Promise<Result> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const body = () => JSON.stringify({ query: 'mutation { ok }' });
  await load(url, body, {}, WARMUP_SECONDS, (s) => s === 200);
  const result = await load(url, body, {}, SECONDS, (s) => s === 200);
  server.closeAllConnections();
  server.close();
  return result;
}

async function pgbench(ownerUrl: string): Promise<number> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  await client.query(
    'CREATE TABLE bench_rows (id bigserial PRIMARY KEY, v integer NOT NULL, at timestamptz NOT NULL DEFAULT now())',
  );
  await client.end();
  const script = join(tmpdir(), `bench-insert-${randomUUID()}.sql`);
  writeFileSync(script, '\\set r random(1, 1000000)\nINSERT INTO bench_rows (v) VALUES (:r);\n');
  const url = new URL(ownerUrl);
  const output = execFileSync(
    PGBENCH,
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(CONCURRENCY),
      '-j',
      '2',
      '-T',
      String(SECONDS),
      '-f',
      script,
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-U',
      decodeURIComponent(url.username),
      url.pathname.slice(1),
    ],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }, encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
  if (!tps) throw new Error(`could not read pgbench's output:\n${output}`);
  return Number(tps[1]);
}

async function messaging(): Promise<{ result: Result; withKeys: Result }> {
  const [db, broker, tokens] = await Promise.all([
    createTestDatabase('messaging'),
    startPrivateBroker(),
    new TokenIssuer().start(),
  ]);
  let service: ChildProcess | undefined;
  try {
    process.env.DATABASE_URL = db.appUrl;
    await migrate(db.ownerUrl, db.appUrl);
    execFileSync(
      process.execPath,
      [
        'tools/build.mjs',
        'services/messaging',
        'libs/auth',
        'libs/config',
        'libs/contracts',
        'libs/errors',
        'libs/events',
        'libs/observability',
        'libs/tenancy',
      ],
      { cwd: root },
    );
    const port = await freePort();
    service = spawn(process.execPath, ['dist/services/messaging/src/main.js'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        NODE_ENV: 'production',
        OTEL_SDK_DISABLED: 'true',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: db.appUrl,
        KAFKA_BROKERS: broker.brokers.join(','),
        KAFKA_FAST_CONSUMERS: 'true',
        AUTH_JWKS_URL: tokens.jwksUrl,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        SUBGRAPH_SHARED_SECRET: BENCH_SUBGRAPH_SECRET,
        // The raw send path: no per-organization send rate limit.
        MESSAGE_SEND_RATE_PER_SECOND: '0',
      },
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 300 || service.exitCode !== null)
        throw new Error('the messaging service did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const token = await tokens.user(randomUUID(), 'CUSTOMER');
    // Straight to the subgraph: it answers only requests carrying the gateway's secret.
    const headers = {
      authorization: `Bearer ${token}`,
      'apollo-require-preflight': 'true',
      'x-subgraph-secret': BENCH_SUBGRAPH_SECRET,
    };
    const mutation =
      'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id status segments } }';
    const plain = () =>
      JSON.stringify({
        query: mutation,
        variables: { input: { to: '+14155550123', body: 'Your code is 123456' } },
      });
    const keyed = () =>
      JSON.stringify({
        query: mutation,
        variables: {
          input: { to: '+14155550123', body: 'Your code is 123456', idempotencyKey: randomUUID() },
        },
      });
    const ok = (status: number, text: string) => status === 200 && text.includes('"QUEUED"');
    await load(`${base}/graphql`, plain, headers, WARMUP_SECONDS, ok);
    const result = await load(`${base}/graphql`, plain, headers, SECONDS, ok);
    const withKeys = await load(`${base}/graphql`, keyed, headers, SECONDS, ok);
    return { result, withKeys };
  } finally {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service!.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    await tokens.stop();
    await broker.stop();
    await db.drop();
  }
}

const SEND =
  'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id status segments } }';

async function throughGateway(): Promise<Result> {
  const platform = await startPlatform({
    label: 'bench',
    env: {
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      MESSAGE_SEND_RATE_PER_SECOND: '0',
      // Billing: no allowance to run out of (every segment charged, nothing refused for quota).
      DEFAULT_PLAN_ID: 'postpaid',
    },
  });
  try {
    if (!platform.graphqlUrl) throw new Error('the gateway is not built (node tools/build.mjs)');
    const signUp = await fetch(platform.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
        variables: {
          input: {
            email: `bench-${randomUUID().slice(0, 8)}@example.com`,
            password: 'a long bench passphrase 1',
            organizationName: `Bench ${randomUUID().slice(0, 6)}`,
          },
        },
      }),
    });
    const token = ((await signUp.json()) as { data: { signUp: { accessToken: string } } }).data
      .signUp.accessToken;
    const headers = { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' };
    const body = () =>
      JSON.stringify({
        query: SEND,
        variables: { input: { to: '+14155550123', body: 'Your code is 123456' } },
      });
    const ok = (status: number, text: string) => status === 200 && text.includes('"QUEUED"');
    await load(platform.graphqlUrl, body, headers, WARMUP_SECONDS, ok);
    return await load(platform.graphqlUrl, body, headers, SECONDS, ok);
  } finally {
    await platform.stop();
  }
}

async function main(): Promise<void> {
  loadStackEnv();
  console.log(`send throughput: ${CONCURRENCY} concurrent clients, ${SECONDS} s per measurement`);
  const http = await bareHttp();
  const scratch = await createTestDatabase('messaging');
  let tps: number;
  try {
    tps = await pgbench(scratch.ownerUrl);
  } finally {
    await scratch.drop();
  }
  const { result, withKeys } = await messaging();
  const gateway = await throughGateway();
  const row = (name: string, r: Result) =>
    `  ${name.padEnd(44)} ${r.perSecond.toFixed(0).padStart(8)} /s   p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   errors ${r.errors}`;
  console.log(row('bare Node HTTP server (requests)', http));
  console.log(
    `  ${'pgbench single-row INSERT (transactions)'.padEnd(44)} ${tps.toFixed(0).padStart(8)} /s`,
  );
  console.log(row('sendMessage, messaging subgraph (messages)', result));
  console.log(row('sendMessage with idempotency keys (messages)', withKeys));
  console.log(row('sendMessage through the gateway (messages)', gateway));
  console.log(
    `  ratio: ${(result.perSecond / http.perSecond).toFixed(3)} of bare HTTP, ${(result.perSecond / tps).toFixed(3)} of pgbench inserts` +
      ` (with keys: ${(withKeys.perSecond / http.perSecond).toFixed(3)} / ${(withKeys.perSecond / tps).toFixed(3)})`,
  );
  console.log(
    `  through the gateway: ${(gateway.perSecond / http.perSecond).toFixed(3)} of bare HTTP, ${(gateway.perSecond / tps).toFixed(3)} of pgbench inserts, ${(gateway.perSecond / result.perSecond).toFixed(2)} of the subgraph alone`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
