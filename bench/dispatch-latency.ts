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
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchJwks,
  latencyLine,
  latencyStats,
  rawKafkaLatency,
  startServiceProcess,
} from './bench-kit.ts';

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
const { Topics, devicesV1 } = dist('libs/contracts/src/index.js');
const { SimulatedPhone } = dist('tools/device-agent/src/simulated-phone.js');
const { migrate } = dist('services/devices/src/database.js');
const { TENANT_SETTING } = dist('libs/tenancy/src/index.js');
const { create, toBinary } = require('@bufbuild/protobuf');
const { timestampFromDate } = require('@bufbuild/protobuf/wkt');
const { Kafka, logLevel } = require('kafkajs');
const { Client } = require('pg');

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
  const auth = await benchJwks(require);
  const port = await freePort();
  const metricsPort = await freePort();
  let service: ChildProcess | undefined;
  const phones: { stop(): Promise<void> }[] = [];
  try {
    await migrate(db.ownerUrl, db.appUrl);
    service = await startServiceProcess(
      root,
      'devices',
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
    const raw = await rawKafkaLatency(dist, require, broker.brokers, count, GAP_MS);

    const d = latencyStats(dispatch);
    const k = latencyStats(raw);
    console.log(
      `devices=${DEVICES} messages=${count} (gap ${GAP_MS} ms, ${(count / (elapsed / 1000)).toFixed(1)} msg/s)`,
    );
    console.log(`dispatch → phone holds it:   ${latencyLine(d)}`);
    console.log(`raw Kafka produce → consume: ${latencyLine(k)}`);
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
