// Dispatch latency of the device fleet: from a devices.dispatch.v1 command being produced to a
// simulated phone holding the message (SSE wake-up + GET /message), with N phones, printed next
// to the raw Kafka produce→consume latency measured in the same run on the same broker. Then
// what a message cost the devices service until the phone reported it delivered (its dispatch,
// the pull, the three state reports) in CPU (the service's process_cpu_seconds_total, its idle
// use measured over 5 s before deducted).
//
//   node tools/build.mjs && node bench/dispatch-latency.ts [--devices 10] [--messages 100] [--gap-ms N]
//
// By default messages arrive at the fleet's sustainable rate (each phone may send 30 segments a
// minute: one message every 60000 / (30 × devices) ms); --gap-ms sets another spacing (a burst).
//
// Needs the local stack (tools/stack/stack.sh up). Runs the devices service as its own process
// (dist/services/devices/src/main.js) against a fresh database and a private broker, like the
// integration tests; not part of the test suite. Node runs this file directly (type stripping),
// so it only uses erasable TypeScript and loads the compiled code from dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const BENCH_SUBGRAPH_SECRET = 'bench-subgraph-secret-0123456789';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const dist = (path: string) => require(join(root, 'dist', path));

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '10' },
    messages: { type: 'string', default: '100' },
    'gap-ms': { type: 'string' },
  },
});
const DEVICES = Number(values.devices);
const MESSAGES = Number(values.messages);
const GAP_MS = values['gap-ms'] === undefined ? 60_000 / (30 * DEVICES) : Number(values['gap-ms']);

const testing = dist('libs/testing/src/index.js');
const freePort: () => Promise<number> = testing.freePort;
const { Topics, devicesV1, testingV1 } = dist('libs/contracts/src/index.js');
const { SimulatedPhone } = dist('tools/device-agent/src/simulated-phone.js');
const { migrate } = dist('services/devices/src/database.js');
const { TENANT_SETTING } = dist('libs/tenancy/src/index.js');
const { create, toBinary } = require('@bufbuild/protobuf');
const { timestampFromDate } = require('@bufbuild/protobuf/wkt');
const { Kafka, logLevel } = require('kafkajs');
const { Client } = require('pg');
const { exportJWK, generateKeyPair, SignJWT } = require('jose');

const FAST_CONSUMER = {
  maxWaitTimeInMs: 100,
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 3000,
};

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    n: sorted.length,
    mean,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1],
  };
}

const fmt = (s: ReturnType<typeof percentiles>) =>
  `n=${s.n} mean=${s.mean.toFixed(1)} p50=${s.p50.toFixed(1)} p95=${s.p95.toFixed(1)} p99=${s.p99.toFixed(1)} max=${s.max.toFixed(1)} ms`;

async function jwks() {
  const kid = 'bench';
  const key = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(key.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const token = (orgId: string) =>
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

async function startService(env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'dist/services/devices/src/main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (child.exitCode !== null) throw new Error('the devices service exited during start-up');
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('the devices service did not start');
}

/** Raw Kafka: produce → eachMessage on the same broker, same consumer timings. */
async function rawKafkaLatency(brokers: string[], count: number, gapMs: number): Promise<number[]> {
  const kafka = new Kafka({ clientId: 'bench-raw', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, ...FAST_CONSUMER });
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

/** The service's CPU so far (ms), from its metrics endpoint (prom-client's default metrics). */
async function serviceCpuMs(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const match = /^process_cpu_seconds_total(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text);
  if (!match) throw new Error('no process_cpu_seconds_total in /metrics');
  return Number(match[1]) * 1000;
}

/** Messages of the organization the phones reported delivered so far. */
async function deliveredCount(appUrl: string, orgId: string): Promise<number> {
  const client = new Client({ connectionString: appUrl });
  await client.connect();
  try {
    // Row-level security: the organization's rows only, as the service reads them.
    await client.query(`SELECT set_config($1, $2, false)`, [TENANT_SETTING, orgId]);
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM device_messages WHERE state = 'DELIVERED'`,
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const db = await testing.createTestDatabase('devices');
  const broker = await testing.startPrivateBroker();
  const auth = await jwks();
  const port = await freePort();
  const metricsPort = await freePort();
  let service: ChildProcess | undefined;
  const phones: { stop(): Promise<void> }[] = [];
  try {
    await migrate(db.ownerUrl, db.appUrl);
    service = await startService(
      {
        NODE_ENV: 'production',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        DATABASE_URL: db.appUrl,
        KAFKA_BROKERS: broker.brokers.join(','),
        KAFKA_FAST_CONSUMERS: 'true',
        AUTH_JWKS_URL: auth.url,
        AUTH_ISSUER: 'bench',
        AUTH_AUDIENCE: 'bench',
        PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
        DEVICES_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
        SUBGRAPH_SHARED_SECRET: BENCH_SUBGRAPH_SECRET,
        LOG_LEVEL: 'error',
        OTEL_SDK_DISABLED: 'true',
      },
      port,
    );
    const orgId = randomUUID();
    const gql = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'apollo-require-preflight': 'true',
        'x-subgraph-secret': BENCH_SUBGRAPH_SECRET,
        authorization: `Bearer ${await auth.token(orgId)}`,
      },
      // One shared token for the whole bench fleet, its phones trusted at once (no approval).
      body: JSON.stringify({
        query: `mutation {
          setDeviceSettings(requireApprovalForSharedEnrollments: false) { requireApprovalForSharedEnrollments }
          createDeviceEnrollment(maxUses: ${Math.max(DEVICES, 1)}) { token apiUrl }
        }`,
      }),
    });
    const { data } = (await gql.json()) as {
      data: { createDeviceEnrollment: { token: string; apiUrl: string } };
    };
    const { token, apiUrl } = data.createDeviceEnrollment;

    const receivedAt = new Map<string, number>();
    for (let i = 0; i < DEVICES; i++) {
      const phone = new SimulatedPhone({
        apiUrl,
        name: `Bench/phone-${i}`,
        sendDelayMs: 50,
        deliveryDelayMs: 50,
        log: (entry: { event: string; messageId?: string }) => {
          if (entry.event === 'handout' && entry.messageId) {
            receivedAt.set(entry.messageId, performance.now());
          }
        },
      });
      await phone.enroll(token);
      await phone.start();
      phones.push(phone);
    }

    const kafka = new Kafka({
      clientId: 'bench-messaging',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const dispatchedAt = new Map<string, number>();
    const send = async (messageId: string) => {
      const command = create(devicesV1.DispatchCommandSchema, {
        messageId,
        orgId,
        issuedAt: timestampFromDate(new Date()),
        command: {
          case: 'dispatch',
          value: {
            to: { e164: '+14155550123' },
            body: `bench ${messageId}`,
            segments: 1,
            attempt: 1,
          },
        },
      });
      dispatchedAt.set(messageId, performance.now());
      await producer.send({
        topic: Topics.devices.dispatch.name,
        acks: -1,
        messages: [
          {
            key: messageId,
            value: Buffer.from(toBinary(devicesV1.DispatchCommandSchema, command)),
            headers: {
              ce_specversion: '1.0',
              ce_id: randomUUID(),
              ce_type: 'switchboard.devices.v1.DispatchMessage',
              ce_source: '/switchboard/bench',
              ce_time: new Date().toISOString(),
              ce_orgid: orgId,
            },
          },
        ],
      });
    };

    // Warm-up: the service's consumer group settles and every phone has pulled once.
    await send(randomUUID());
    await new Promise((r) => setTimeout(r, 3000));
    receivedAt.clear();
    dispatchedAt.clear();

    // Within the pacing budget (30 segments per minute per phone) so only latency is measured.
    const count = Math.min(MESSAGES, DEVICES * 25);
    const deliveredBefore = await deliveredCount(db.appUrl, orgId);
    // The service's idle use (its consumers' fetches, sweeps, keepalives), deducted below.
    const idleFrom = { cpu: await serviceCpuMs(metricsPort), at: performance.now() };
    await new Promise((r) => setTimeout(r, 5000));
    const cpuBefore = await serviceCpuMs(metricsPort);
    const started = performance.now();
    const idlePerMs = (cpuBefore - idleFrom.cpu) / (started - idleFrom.at);
    for (let i = 0; i < count; i++) {
      await send(randomUUID());
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const deadline = Date.now() + 60_000;
    while ([...dispatchedAt.keys()].some((id) => !receivedAt.has(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsed = performance.now() - started;
    await producer.disconnect();
    // Until every message's Delivered report is in: the cost of its whole life on the phone.
    let delivered = (await deliveredCount(db.appUrl, orgId)) - deliveredBefore;
    while (delivered < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      delivered = (await deliveredCount(db.appUrl, orgId)) - deliveredBefore;
    }
    const cpuUsed = (await serviceCpuMs(metricsPort)) - cpuBefore;
    const cpuPerMessage = (cpuUsed - idlePerMs * (performance.now() - started)) / count;
    const dispatch = [...dispatchedAt].flatMap(([id, at]) =>
      receivedAt.has(id) ? [receivedAt.get(id)! - at] : [],
    );
    const raw = await rawKafkaLatency(broker.brokers, count, GAP_MS);

    const d = percentiles(dispatch);
    const k = percentiles(raw);
    console.log(
      `devices=${DEVICES} messages=${count} (gap ${GAP_MS} ms, ${(count / (elapsed / 1000)).toFixed(1)} msg/s)`,
    );
    console.log(`dispatch → phone holds it:   ${fmt(d)}`);
    console.log(`raw Kafka produce → consume: ${fmt(k)}`);
    console.log(
      `ratio (dispatch / raw Kafka): p50 ${(d.p50 / k.p50).toFixed(2)}x  p95 ${(d.p95 / k.p95).toFixed(2)}x  mean ${(d.mean / k.mean).toFixed(2)}x`,
    );
    console.log(
      `devices service CPU per message, dispatch to delivered, idle use deducted: ${cpuPerMessage.toFixed(2)} ms (${delivered} of ${count} delivered; idle ${(idlePerMs * 100).toFixed(1)} % of a core)`,
    );
    if (d.n < count) console.log(`warning: ${count - d.n} message(s) not received within 60 s`);
  } finally {
    await Promise.all(phones.map((p) => p.stop()));
    service?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    auth.close();
    await broker.stop();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
