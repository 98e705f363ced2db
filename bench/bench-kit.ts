// What the benchmarks share: closed- and open-loop HTTP load, the bare-HTTP and pgbench
// baselines, percentiles and process RSS, and what the event-latency benches start from (a JWKS,
// a service process, the raw Kafka round trip). Not part of the test suite.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from 'pg';

export const PGBENCH = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  body: () => string;
  ok: (status: number, text: string) => boolean;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** One POST on a keep-alive agent: its latency in ms, or undefined when it failed. */
export function post(agent: Agent, target: Target): Promise<number | undefined> {
  return postOnce(
    agent,
    new URL(target.url),
    target.body(),
    { 'content-type': 'application/json', ...target.headers },
    target.ok,
  );
}

/** POSTs `payload`: the latency in ms when `ok` accepts the answer, else undefined. */
function postOnce(
  agent: Agent,
  url: URL,
  payload: string,
  headers: Record<string, string>,
  ok: (status: number, text: string) => boolean,
): Promise<number | undefined> {
  const started = performance.now();
  return new Promise((done) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const accepted = ok(res.statusCode ?? 0, Buffer.concat(chunks).toString());
          done(accepted ? performance.now() - started : undefined);
        });
      },
    );
    req.on('error', () => done(undefined));
    req.end(payload);
  });
}

function summary(latencies: number[], errors: number, elapsedSeconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** A closed loop: `concurrency` clients, each sending its next request when the last answered. */
export async function closedLoad(
  target: Target,
  seconds: number,
  concurrency: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const ms = await post(agent, target);
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }
    }),
  );
  agent.destroy();
  return summary(latencies, errors, (Date.now() - started) / 1000);
}

/** An open loop: `rate` requests a second whatever the answers take (latency under a load). */
export async function pacedLoad(
  target: Target,
  seconds: number,
  rate: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const total = Math.max(1, Math.round(seconds * rate));
  const pending: Promise<void>[] = [];
  const timeline: string[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(agent, target).then((ms) => {
        if (ms === undefined) errors++;
        else latencies.push(ms);
        if (ms !== undefined)
          timeline.push(`${Math.round(performance.timeOrigin + due)} ${ms.toFixed(1)}`);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  if (process.env.BENCH_LATENCY_LOG)
    writeFileSync(process.env.BENCH_LATENCY_LOG, timeline.join('\n') + '\n');
  return summary(latencies, errors, (performance.now() - started) / 1000);
}

/** The ceiling of HTTP on this machine: a bare Node server answering every POST. */
export async function bareHttp(seconds: number, concurrency: number): Promise<LoadResult> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const target: Target = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    headers: {},
    body: () => JSON.stringify({ query: 'mutation { ok }' }),
    ok: (s) => s === 200,
  };
  await closedLoad(target, 1, concurrency);
  const result = await closedLoad(target, seconds, concurrency);
  server.closeAllConnections();
  server.close();
  return result;
}

/**
 * The floor of any gateway: a bare Node HTTP proxy in a process of its own that sends each
 * request on to `target` (same method, path and headers, a keep-alive agent) and answers with
 * what came back, nothing else. Its latency over the target's is the cost of one more hop.
 */
export async function bareProxy(target: string): Promise<{ url: string; stop(): void }> {
  const code = `
    const http = require('node:http');
    const target = new URL(process.argv[1]);
    const agent = new http.Agent({ keepAlive: true });
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const headers = { ...req.headers, host: target.host };
        const out = http.request(target, { method: req.method, headers, agent }, (answer) => {
          const parts = [];
          answer.on('data', (c) => parts.push(c));
          answer.on('end', () => {
            res.writeHead(answer.statusCode, { 'content-type': answer.headers['content-type'] });
            res.end(Buffer.concat(parts));
          });
        });
        out.on('error', () => res.writeHead(502).end());
        out.end(Buffer.concat(chunks));
      });
    });
    server.keepAliveTimeout = 60000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', code, target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status) => reject(new Error(`bare proxy exited (${status})`)));
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
  });
  return { url: `http://127.0.0.1:${port}${new URL(target).pathname}`, stop: () => child.kill() };
}

/**
 * The ceiling of one durable write: single-row INSERT transactions/s by pgbench on `ownerUrl`,
 * or, without pgbench, by `concurrency` pg clients in a loop (said in `how`).
 */
export async function insertBaseline(
  ownerUrl: string,
  seconds: number,
  concurrency: number,
): Promise<{ perSecond: number; how: string }> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  await client.query(
    'CREATE TABLE bench_rows (id bigserial PRIMARY KEY, v integer NOT NULL, at timestamptz NOT NULL DEFAULT now())',
  );
  await client.end();
  const url = new URL(ownerUrl);
  if (existsSync(PGBENCH)) {
    const script = join(tmpdir(), `bench-insert-${randomUUID()}.sql`);
    writeFileSync(script, '\\set r random(1, 1000000)\nINSERT INTO bench_rows (v) VALUES (:r);\n');
    const output = execFileSync(
      PGBENCH,
      [
        ...['-n', '-M', 'prepared', '-c', String(concurrency), '-j', '2'],
        ...['-T', String(seconds), '-f', script, '-h', url.hostname, '-p', url.port],
        ...['-U', decodeURIComponent(url.username), url.pathname.slice(1)],
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }, encoding: 'utf8' },
    );
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    if (!tps) throw new Error(`could not read pgbench's output:\n${output}`);
    return { perSecond: Number(tps[1]), how: 'pgbench single-row INSERT' };
  }
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new Client({ connectionString: ownerUrl });
      await c.connect();
      return c;
    }),
  );
  let count = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < until) {
        await c.query({
          name: 'bench-insert',
          text: 'INSERT INTO bench_rows (v) VALUES ($1)',
          values: [1],
        });
        count++;
      }
      await c.end();
    }),
  );
  return { perSecond: count / ((Date.now() - started) / 1000), how: 'pg single-row INSERT loop' };
}

/** Resident set size of a process in MiB (Linux /proc), 0 when it is gone. */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU time (user + system, milliseconds) a process has used so far, from /proc/<pid>/stat (in
 * clock ticks of 10 ms, Linux's USER_HZ); 0 when it cannot be read.
 */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** A request made before the clock starts (body and signature), sent once. */
export interface PreparedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * A closed loop over prepared requests: `concurrency` clients, each POSTing the next unused one
 * to `url` until `seconds` pass or the requests run out (`exhausted`). An answer other than
 * `okStatus` counts as an error.
 */
export async function preparedLoad(
  url: URL,
  requests: PreparedRequest[],
  options: { seconds: number; concurrency: number; okStatus: number },
): Promise<LoadResult & { exhausted: boolean }> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const ok = (status: number) => status === options.okStatus;
  const send = (prepared: PreparedRequest) =>
    postOnce(agent, url, prepared.body, prepared.headers, ok);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && next < requests.length) {
        const ms = await send(requests[next++]!);
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { ...summary(latencies, errors, elapsed), exhausted: next >= requests.length };
}

/**
 * The baseline of a signed endpoint: a bare Node server that reads the raw body, runs the same
 * signature check (`verify`) and nothing else, answering `status` (401 when the check fails).
 */
export async function verifyingServer(
  verify: (req: IncomingMessage, body: Buffer) => boolean,
  answer: { status: number; headers?: Record<string, string>; body?: string },
): Promise<{ url: URL; close(): void }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (verify(req, Buffer.concat(chunks)))
        res.writeHead(answer.status, answer.headers).end(answer.body);
      else res.writeHead(401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * The signed-ingest comparison: the service's endpoint and its bare verifying baseline, both
 * warmed up (JIT, pools) on the first 500 prepared requests, which the measured runs do not
 * reuse, then loaded the same way, one after the other, in this run. Prints both and the ratio.
 */
export async function compareSignedIngest(options: {
  requests: PreparedRequest[];
  bareUrl: URL;
  appUrl: URL;
  seconds: number;
  concurrency: number;
  okStatus: number;
  /** What one request is, for the lines printed (`callbacks`, `deliveries`). */
  unit: string;
  /** How to prepare more when the runs use them all up (e.g. `raise BENCH_CALLBACKS`). */
  prepareMore: string;
  bareLabel: string;
  appLabel: string;
  /** The service, in the ratio line. */
  appName: string;
  /** Said after the service's line, once the runs are over (what it wrote). */
  appNote?: () => Promise<string>;
}): Promise<{ bare: LoadResult; app: LoadResult }> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const { requests, seconds, concurrency, okStatus } = options;
  const warm = requests.splice(0, 500);
  await preparedLoad(options.bareUrl, warm, { seconds: 1, concurrency, okStatus });
  await preparedLoad(options.appUrl, warm, { seconds: 2, concurrency, okStatus });
  const bare = await preparedLoad(options.bareUrl, requests, { seconds, concurrency, okStatus });
  const app = await preparedLoad(options.appUrl, requests, { seconds, concurrency, okStatus });
  if (bare.exhausted || app.exhausted)
    say(`  (ran out of prepared ${options.unit}: ${options.prepareMore})`);
  const line = (r: LoadResult) =>
    `${Math.round(r.perSecond)} ${options.unit}/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (${r.requests} ok, ${r.errors} errors)`;
  const width = Math.max(options.bareLabel.length, options.appLabel.length) + 2;
  say(`${`${options.bareLabel}:`.padEnd(width)}${line(bare)}`);
  const note = options.appNote ? ` (${await options.appNote()})` : '';
  say(`${`${options.appLabel}:`.padEnd(width)}${line(app)}${note}`);
  say(
    `ratio ${options.appName} / bare: ${fmt(app.perSecond / bare.perSecond, 3)} of the throughput, p99 ×${fmt(app.p99 / Math.max(bare.p99, 0.001))}`,
  );
  return { bare, app };
}

/** The base URL of a Nest app listening on 127.0.0.1 (never `[::1]` or `localhost`). */
export async function localUrl(app: { getUrl(): Promise<string> }): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
}

/** Runs a bench's main and exits with its outcome (open handles do not keep it alive). */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** What a bench run straight by node (`node bench/<file>.ts`) starts from. */
export interface BenchSetup {
  /** The repository root. */
  root: string;
  /** `require` of a compiled module under dist/ (`node tools/build.mjs` first). */
  dist: (path: string) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
  require: NodeJS.Require;
  /** `--seconds` (default 10) and `--concurrency` (default 16). */
  seconds: number;
  concurrency: number;
}

export function benchSetup(moduleUrl: string): BenchSetup {
  const require = createRequire(moduleUrl);
  const root = join(dirname(fileURLToPath(moduleUrl)), '..');
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  return {
    root,
    require,
    dist: (path) => require(join(root, 'dist', path)),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
  };
}

/** A service of dist/ running in this process, with its own database and broker. */
export interface BenchService {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  app: { get(token: unknown): any; close(): Promise<void> };
  /** http://127.0.0.1:<port> */
  url: string;
  db: { name: string; ownerUrl: string; appUrl: string };
  stop(): Promise<void>;
}

/**
 * Starts `service` from dist/ in this process as it runs in production (its app module, raw
 * bodies kept) against a fresh migrated database and a private broker (needs the local stack),
 * with test-mode settings plus `env`. `stop` takes all of it down again.
 */
export async function startBenchService(
  setup: BenchSetup,
  options: {
    service: string;
    /** The test database's prefix (`ghl_sync`). */
    database: string;
    /** The service's config loader (its `loadXConfig`). */
    loadConfig: (env: Record<string, string>) => { LOG_LEVEL?: string };
    env: Record<string, string>;
  },
): Promise<BenchService> {
  const { dist, root } = setup;
  const testing = dist('libs/testing/src/index.js');
  const { createServiceApp } = dist('libs/service-kit/src/index.js');
  const { createLogger } = dist('libs/observability/src/index.js');
  const { AppModule } = dist(`services/${options.service}/src/app.module.js`);
  const { migrate } = dist(`services/${options.service}/src/database.js`);
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const broker = await testing.startPrivateBroker();
  const db = await testing.createTestDatabase(options.database);
  let app: BenchService['app'] | undefined;
  const stop = async () => {
    await app?.close().catch(() => undefined);
    await broker.stop();
    await db.drop().catch(() => undefined);
  };
  try {
    await migrate(db.ownerUrl, db.appUrl);
    const config = options.loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: db.appUrl,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      KAFKA_GROUP_ID: `${options.service}-bench-${randomUUID().slice(0, 8)}`,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      ...options.env,
    });
    const logger = createLogger({ service: options.service, level: 'error' });
    const nest = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: options.service,
      config,
      logger,
      rawBody: true,
    });
    await nest.listen(0, '127.0.0.1');
    app = nest;
    return { app: nest, url: await localUrl(nest), db, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** n, mean, p50, p95, p99 and max of latency samples (ms). */
export function latencyStats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    mean,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1],
  };
}

export const latencyLine = (s: ReturnType<typeof latencyStats>) =>
  `n=${s.n} mean=${s.mean.toFixed(1)} p50=${s.p50.toFixed(1)} p95=${s.p95.toFixed(1)} p99=${s.p99.toFixed(1)} max=${s.max.toFixed(1)} ms`;

/**
 * A JWKS endpoint of one RS256 key and `token(orgId)`: a customer's access token signed with it
 * (issuer and audience `bench`), for services started with AUTH_JWKS_URL = `url`.
 */
export async function benchJwks(require: NodeJS.Require) {
  const { exportJWK, generateKeyPair, SignJWT } = require('jose');
  const kid = 'bench';
  const key = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(key.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const token = (orgId: string): Promise<string> =>
    new SignJWT({ org: orgId, role: 'CUSTOMER', sid: randomUUID(), typ: 'user' })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
      .setIssuer('bench')
      .setAudience('bench')
      .setSubject(randomUUID())
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key.privateKey);
  return { url, token, close: () => server.close() };
}

/**
 * Starts `dist/services/<name>/src/main.js` as a process of its own with `env` and waits until
 * it is live on `port`. BENCH_LOG_DIR=<dir> keeps its log lines in <dir>/<name>.log.
 */
export async function startServiceProcess(
  root: string,
  name: string,
  env: Record<string, string>,
  port: number,
): Promise<ChildProcess> {
  const logDir = process.env.BENCH_LOG_DIR;
  const child = spawn(process.execPath, [join(root, `dist/services/${name}/src/main.js`)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', logDir ? 'pipe' : 'ignore', 'inherit'],
  });
  if (logDir) child.stdout?.pipe(createWriteStream(join(logDir, `${name}.log`)));
  for (let i = 0; i < 150; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (child.exitCode !== null) throw new Error(`the ${name} service exited during start-up`);
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`the ${name} service did not start`);
}

/**
 * The baseline of the event-latency benches: `count` probes produced one by one (`gapMs` apart)
 * and consumed by a consumer of the same timings on the same broker; each produce → eachMessage
 * latency (ms). `dist` loads the compiled contracts (the probe's topic and schema) and libs/events
 * (the services' fast consumer timings).
 */
export async function rawKafkaLatency(
  dist: BenchSetup['dist'],
  require: NodeJS.Require,
  brokers: string[],
  count: number,
  gapMs: number,
): Promise<number[]> {
  const { Topics, testingV1 } = dist('libs/contracts/src/index.js');
  // The services' consumer timings under KAFKA_FAST_CONSUMERS.
  const timings = dist('libs/events/src/index.js').consumerTimings(true);
  const { create, toBinary } = require('@bufbuild/protobuf');
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, ...timings });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.testing.probe.name, fromBeginning: false });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ message }: { message: { key: Buffer | null } }) => {
      const key = message.key?.toString() ?? '';
      const start = sentAt.get(key);
      if (start === undefined) return;
      latencies.push(performance.now() - start);
      sentAt.delete(key);
      if (latencies.length === count) done();
    },
  });
  await ready;
  await new Promise((r) => setTimeout(r, 1000)); // partitions assigned and fetching
  for (let i = 0; i < count; i++) {
    const key = randomUUID();
    const value = Buffer.from(
      toBinary(testingV1.ProbeSchema, create(testingV1.ProbeSchema, { id: key, key })),
    );
    sentAt.set(key, performance.now());
    await producer.send({ topic: Topics.testing.probe.name, acks: -1, messages: [{ key, value }] });
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
  await consumer.disconnect();
  await producer.disconnect();
  return latencies;
}
