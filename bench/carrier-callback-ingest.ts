// Carrier callback ingest: signed Twilio status callbacks ("delivered") per second and their
// p50/p99 into messaging's public endpoint (`/api/carrier-hooks/twilio/…/status`: signature
// checked over the raw body, tenant transaction, account credentials opened, dedupe receipt,
// SENT → DELIVERED with its event in the outbox), printed next to a bare Node HTTP server that
// verifies the same signature (twilio's validateRequest over the same URL and parameters) and
// does nothing else, loaded the same way in the same run. The ratio is the figure to compare.
//
//   node tools/build.mjs && node bench/carrier-callback-ingest.ts [--seconds 10] [--concurrency 16]
//
// Messaging runs from dist/ in this process against a fresh database and a private broker (its
// workers off, the outbox relay on), like metering-throughput.ts; the messages the callbacks
// are about are inserted beforehand (one per callback, each SENT through the bench's Twilio
// account), and every request body and signature is made before the clock starts. Needs the
// local stack (PostgreSQL and the broker). Not part of the test suite.
import { randomBytes, randomUUID } from 'node:crypto';
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
/** Callbacks prepared: more than the endpoint can take in SECONDS (each is used once). */
const PREPARED = Number(process.env.BENCH_CALLBACKS ?? 40_000);

const testing = dist('libs/testing/src/index.js');
const { createServiceApp } = dist('libs/service-kit/src/index.js');
const { createLogger } = dist('libs/observability/src/index.js');
const { AppModule } = dist('services/messaging/src/app.module.js');
const { loadMessagingConfig } = dist('services/messaging/src/config.js');
const { migrate } = dist('services/messaging/src/database.js');
const { CarrierAccountsService } = dist(
  'services/messaging/src/carriers/carrier-accounts.service.js',
);
const twilio = require('twilio');
const { Client } = require('pg');

const say = (line: string) => process.stdout.write(`${line}\n`);
const PUBLIC = 'https://hooks.bench.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

interface Callback {
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

function post(agent: Agent, url: URL, callback: Callback): Promise<number | undefined> {
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
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(callback.body),
          'x-twilio-signature': callback.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 204 ? performance.now() - started : undefined));
      },
    );
    req.on('error', () => done(undefined));
    req.end(callback.body);
  });
}

/** A closed loop over the prepared callbacks: CONCURRENCY clients, each posting its next one. */
async function load(url: URL, callbacks: Callback[], seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline && next < callbacks.length) {
        const ms = await post(agent, url, callbacks[next++]!);
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  if (next >= callbacks.length) say(`  (ran out of prepared callbacks: raise BENCH_CALLBACKS)`);
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

/** The same signature check and nothing else. */
async function bareServer(publicUrl: string): Promise<{ server: Server; url: URL }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(
        new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      );
      const valid = twilio.validateRequest(
        AUTH_TOKEN,
        String(req.headers['x-twilio-signature'] ?? ''),
        publicUrl,
        params,
      );
      res.writeHead(valid ? 204 : 401).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`) };
}

const fmt = (r: Result) =>
  `${Math.round(r.perSecond)} callbacks/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.requests} ok, ${r.errors} errors)`;

async function main() {
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const broker = await testing.startPrivateBroker();
  const db = await testing.createTestDatabase('messaging');
  let app: { close(): Promise<void> } | undefined;
  let bare: Server | undefined;
  let owner:
    | {
        end(): Promise<void>;
        on(e: string, f: () => void): void;
        connect(): Promise<void>;
        query(sql: string, p?: unknown[]): Promise<{ rows: { n: number }[] }>;
      }
    | undefined;
  try {
    await migrate(db.ownerUrl, db.appUrl);
    const config = loadMessagingConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: db.appUrl,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      KAFKA_GROUP_ID: `messaging-bench-${randomUUID().slice(0, 8)}`,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      CARRIER_CALLBACK_BASE_URL: PUBLIC,
      CARRIER_WORKER_ENABLED: 'false',
      WEBHOOK_WORKER_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      RETENTION_ENABLED: 'false',
      PRIVACY_WORKER_ENABLED: 'false',
    });
    const logger = createLogger({ service: 'messaging', level: 'error' });
    const nest = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: 'messaging',
      config,
      logger,
      rawBody: true,
    });
    await nest.listen(0, '127.0.0.1');
    app = nest;
    const appUrl = (await nest.getUrl())
      .replace('[::1]', '127.0.0.1')
      .replace('localhost', '127.0.0.1');

    // The account, through the service (its credentials sealed as in production).
    const orgId = randomUUID();
    const view = await nest.get(CarrierAccountsService).create(
      orgId,
      { kind: 'system', id: 'bench' },
      {
        kind: 'TWILIO',
        name: 'bench',
        twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
      },
    );
    const statusUrl: string = view.callbackUrls.status;

    // One SENT message per callback, with the send the callback names.
    owner = new Client({ connectionString: db.ownerUrl });
    owner.on('error', () => undefined);
    await owner.connect();
    // The tables force row-level security on their owner too: enter the tenant.
    await owner.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    await owner.query(
      `WITH m AS (
         INSERT INTO messages (id, org_id, direction, status, to_number, from_number, body, encoding, segments,
                               route, attempt, event_sequence, created_at, updated_at, queued_at, sent_at, external_id)
         SELECT gen_random_uuid(), $1, 'OUTBOUND', 'SENT', '+14155550123', '+14155550100', 'bench', 'GSM7', 1,
                'TWILIO', 1, 2, now(), now(), now(), now(), 'SM' || lpad(to_hex(g), 32, '0')
           FROM generate_series(1, $2) g
         RETURNING id, external_id)
       INSERT INTO carrier_sends (org_id, external_id, carrier_account_id, message_id, attempt, route_id, sent_at)
       SELECT $1, external_id, $3, id, 1, 'bench', now() FROM m`,
      [orgId, PREPARED, view.account.id],
    );
    const callbacks: Callback[] = [];
    for (let g = 1; g <= PREPARED; g++) {
      const sid = `SM${g.toString(16).padStart(32, '0')}`;
      const params = {
        AccountSid: ACCOUNT_SID,
        ApiVersion: '2010-04-01',
        From: '+14155550100',
        MessageSid: sid,
        MessageStatus: 'delivered',
        SmsSid: sid,
        SmsStatus: 'delivered',
        To: '+14155550123',
      };
      callbacks.push({
        body: new URLSearchParams(params).toString(),
        signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, statusUrl, params),
      });
    }
    say(
      `prepared ${PREPARED} signed "delivered" callbacks for ${PREPARED} SENT messages; ${CONCURRENCY} clients, ${SECONDS} s each`,
    );

    // Warm-up of both (JIT, pools), on callbacks the measured runs do not reuse.
    const warm = callbacks.splice(0, 500);
    const baseline = await bareServer(statusUrl);
    bare = baseline.server;
    await load(baseline.url, warm, 1);
    await load(new URL(statusUrl.replace(PUBLIC, appUrl)), warm, 2);

    const bareResult = await load(baseline.url, callbacks, SECONDS);
    const appResult = await load(new URL(statusUrl.replace(PUBLIC, appUrl)), callbacks, SECONDS);
    const [{ n: delivered }] = (
      await owner.query(`SELECT count(*)::int AS n FROM messages WHERE status = 'DELIVERED'`)
    ).rows;
    say(`bare Node + twilio.validateRequest: ${fmt(bareResult)}`);
    say(`messaging carrier-hooks:            ${fmt(appResult)} (${delivered} messages DELIVERED)`);
    say(
      `ratio messaging / bare: ${(appResult.perSecond / bareResult.perSecond).toFixed(3)} of the throughput, p99 ×${(appResult.p99 / Math.max(bareResult.p99, 0.001)).toFixed(1)}`,
    );
  } finally {
    await owner?.end().catch(() => undefined);
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
