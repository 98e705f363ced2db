// GHL provider-webhook ingest: signed ProviderOutboundMessage deliveries per second and their
// p50/p99 acknowledgement latency into ghl-sync's Delivery URL (`POST /ghl/webhooks/provider`:
// Ed25519 over the raw body, the location's organization, the delivery recorded once and the
// send command in the outbox, one transaction), printed next to a bare Node HTTP server that
// verifies the same Ed25519 signature over the same bytes and does nothing else, loaded the
// same way in the same run. The ratio is the figure to compare (goal ≥ 0.3).
//
//   node tools/build.mjs && node bench/ghl-provider-ingest.ts [--seconds 10] [--concurrency 16]
//
// ghl-sync runs from dist/ in this process against a fresh database and a private broker (the
// callback and retention jobs idle, the outbox relay on); the location is linked beforehand;
// every body and signature is made before the clock starts (each delivery is a new GHL message
// id, used once). Needs the local stack (PostgreSQL and the broker). Not part of the test suite.
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { Agent, createServer, request, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const dist = (path: string) => require(join(root, 'dist', path));

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
/** Deliveries prepared: more than the endpoint can take in SECONDS (each is used once). */
const PREPARED = Number(process.env.BENCH_DELIVERIES ?? 60_000);

const testing = dist('libs/testing/src/index.js');
const { createServiceApp } = dist('libs/service-kit/src/index.js');
const { createLogger } = dist('libs/observability/src/index.js');
const { AppModule } = dist('services/ghl-sync/src/app.module.js');
const { loadGhlSyncConfig } = dist('services/ghl-sync/src/config.js');
const { migrate } = dist('services/ghl-sync/src/database.js');
const { Client } = require('pg');

const say = (line: string) => process.stdout.write(`${line}\n`);
const LOCATION = 'loc-bench';

interface Delivery {
  body: string;
  signature: string;
}

interface Result {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function post(agent: Agent, url: URL, delivery: Delivery): Promise<number | undefined> {
  const started = performance.now();
  return new Promise((done) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(delivery.body),
          'x-ghl-signature': delivery.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200 ? performance.now() - started : undefined));
      },
    );
    req.on('error', () => done(undefined));
    req.end(delivery.body);
  });
}

/** A closed loop over the prepared deliveries: CONCURRENCY clients, each posting its next one. */
async function load(url: URL, deliveries: Delivery[], seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline && next < deliveries.length) {
        const ms = await post(agent, url, deliveries[next++]!);
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  if (next >= deliveries.length) say(`  (ran out of prepared deliveries: raise BENCH_DELIVERIES)`);
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
  };
}

/** The same Ed25519 check over the raw bytes, and nothing else. */
async function bareServer(publicKey: ReturnType<typeof generateKeyPairSync>['publicKey']) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const signature = Buffer.from(String(req.headers['x-ghl-signature'] ?? ''), 'base64');
      const valid = verify(null, Buffer.concat(chunks), publicKey, signature);
      res
        .writeHead(valid ? 200 : 401, { 'content-type': 'application/json' })
        .end('{"received":"accepted"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`) };
}

const fmt = (r: Result) =>
  `${Math.round(r.perSecond)} deliveries/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.requests} ok, ${r.errors} errors)`;

async function main() {
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const broker = await testing.startPrivateBroker();
  const db = await testing.createTestDatabase('ghl_sync');
  const keys = generateKeyPairSync('ed25519');
  let app: { close(): Promise<void> } | undefined;
  let bare: Server | undefined;
  const owner = new Client({ connectionString: db.ownerUrl });
  owner.on('error', () => undefined);
  try {
    await migrate(db.ownerUrl, db.appUrl);
    const config = loadGhlSyncConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: db.appUrl,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      KAFKA_GROUP_ID: `ghl-sync-bench-${randomUUID().slice(0, 8)}`,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      GHL_WEBHOOK_PUBLIC_KEY: keys.publicKey
        .export({ type: 'spki', format: 'der' })
        .toString('base64'),
      GHL_CALLBACK_INTERVAL_MS: '60000',
      RETENTION_ENABLED: 'false',
    });
    const logger = createLogger({ service: 'ghl-sync', level: 'error' });
    const nest = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: 'ghl-sync',
      config,
      logger,
      rawBody: true,
    });
    await nest.listen(0, '127.0.0.1');
    app = nest;
    const appUrl = new URL(
      `${(await nest.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1')}/ghl/webhooks/provider`,
    );

    // The location, linked to an organization (what an install leaves in the directory).
    const orgId = randomUUID();
    await owner.connect();
    await owner.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    await owner.query(
      `INSERT INTO ghl_directory (org_id, kind, ghl_id, active, updated_at) VALUES ($1, 'LOCATION', $2, true, now())`,
      [orgId, LOCATION],
    );
    const deliveries: Delivery[] = [];
    for (let i = 0; i < PREPARED; i++) {
      const body = JSON.stringify({
        contactId: `contact-${i % 500}`,
        locationId: LOCATION,
        messageId: `m${i.toString(36)}${randomUUID().slice(0, 8)}`,
        type: 'SMS',
        phone: `+1415555${String(1000 + (i % 9000))}`,
        message: 'Your appointment is tomorrow at 10.',
        attachments: [],
        userId: 'ghl-user-1',
      });
      deliveries.push({
        body,
        signature: sign(null, Buffer.from(body), keys.privateKey).toString('base64'),
      });
    }
    say(
      `prepared ${PREPARED} signed provider deliveries; ${CONCURRENCY} clients, ${SECONDS} s each`,
    );

    // Warm-up of both (JIT, pools), on deliveries the measured runs do not reuse.
    const warm = deliveries.splice(0, 500);
    const baseline = await bareServer(keys.publicKey);
    bare = baseline.server;
    await load(baseline.url, warm, 1);
    await load(appUrl, warm, 2);

    const bareResult = await load(baseline.url, deliveries, SECONDS);
    const appResult = await load(appUrl, deliveries, SECONDS);
    const [{ n: recorded }] = (
      await owner.query(`SELECT count(*)::int AS n FROM provider_messages`)
    ).rows;
    say(`bare Node + Ed25519 verify:      ${fmt(bareResult)}`);
    say(`ghl-sync /ghl/webhooks/provider: ${fmt(appResult)} (${recorded} deliveries recorded)`);
    say(
      `ratio ghl-sync / bare: ${(appResult.perSecond / bareResult.perSecond).toFixed(3)} of the throughput, p99 ×${(appResult.p99 / Math.max(bareResult.p99, 0.001)).toFixed(1)}`,
    );
  } finally {
    await owner.end().catch(() => undefined);
    bare?.close();
    await app?.close().catch(() => undefined);
    await broker.stop();
    await db.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
