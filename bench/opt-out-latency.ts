// Opt-out latency under send load: from an inbound STOP being accepted (the phone's SMS on
// devices.inbound.v1) until messaging refuses sends to that number (REJECTED OPTED_OUT), p50/p99
// over N repetitions, printed next to the raw Kafka produce→consume latency measured in the
// same run on the same broker.
//
//   node tools/build.mjs && node bench/opt-out-latency.ts [--repetitions 30] [--load-rate 50] [--path full|suppression]
//
// --path full (default): the whole platform path — messaging stores the inbound SMS and emits
// it on messaging.message.v1, compliance recognizes STOP, records the opt-out and publishes the
// number's state on compliance.suppression.v1 (outbox → relay), messaging's projection applies
// it, and the next send is refused. --path suppression: only messaging's side — the bench plays
// compliance and publishes the suppression state itself (from "opt-out recorded in compliance").
//
// During the whole measurement a load of sendMessage calls (to other numbers) runs at
// --load-rate per second; each repetition then sends to the opted-out number in a loop until a
// send comes back REJECTED: the latency is that reply's time (an upper bound; the probe's
// resolution is one send). Needs the local stack (tools/stack/stack.sh up); runs messaging (and
// compliance) as their own processes from dist/ against fresh databases and a private broker,
// like the integration tests; not part of the test suite. Node runs this file directly (type
// stripping), so it only uses erasable TypeScript and loads the compiled code from dist/.
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

const SUBGRAPH_SECRET = 'bench-subgraph-secret-0123456789';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const dist = (path: string) => require(join(root, 'dist', path));

const { values } = parseArgs({
  options: {
    repetitions: { type: 'string', default: '30' },
    'load-rate': { type: 'string', default: '50' },
    path: { type: 'string', default: 'full' },
  },
});
const REPETITIONS = Number(values.repetitions);
const LOAD_RATE = Number(values['load-rate']);
const FULL = values.path !== 'suppression';

const testing = dist('libs/testing/src/index.js');
const freePort: () => Promise<number> = testing.freePort;
const { Topics, complianceV1, accountsV1, devicesV1 } = dist('libs/contracts/src/index.js');
const events = dist('libs/events/src/index.js');
const { timestampFromDate } = require('@bufbuild/protobuf/wkt');
const { Kafka, logLevel } = require('kafkajs');
const { Client } = require('pg');

/** Publishes events the way another service would: the outbox's envelope, straight to Kafka. */
function publisherOf(brokers: string[]) {
  const kafka = new Kafka({ clientId: 'bench-publisher', brokers, logLevel: logLevel.NOTHING });
  const publisher = new events.EventPublisher(
    events.createProducer(kafka, { idempotentProducer: true }),
  );
  return {
    async publish(service: string, topic: unknown, key: string, orgId: string, event: unknown) {
      const records: unknown[] = [];
      await events.addToOutbox(
        {
          query: async (_sql: string, params: unknown[]) => {
            const [, topicName, recordKey, , payload, headers] = params as string[];
            records.push({
              topic: topicName,
              key: recordKey,
              value: payload,
              headers: JSON.parse(headers),
            });
          },
        },
        service,
        { topic, key, orgId, event },
      );
      await publisher.publish(records);
    },
    stop: () => publisher.disconnect(),
  };
}

const randomNumber = () => `+1415${String(2_000_000 + Math.floor(Math.random() * 7_000_000))}`;

async function main(): Promise<void> {
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const broker = await testing.startPrivateBroker();
  const auth = await benchJwks(require);
  const dbs: { drop(): Promise<void> }[] = [];
  const children: ChildProcess[] = [];
  const publisher = publisherOf(broker.brokers);
  let owner: { end(): Promise<void> } | undefined;
  try {
    const common = {
      NODE_ENV: 'production',
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      AUTH_JWKS_URL: auth.url,
      AUTH_ISSUER: 'bench',
      AUTH_AUDIENCE: 'bench',
      SUBGRAPH_SHARED_SECRET: SUBGRAPH_SECRET,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      OTEL_SDK_DISABLED: 'true',
      // Both sign download links (compliance's exports, messaging's contact-import reports).
      DOWNLOAD_SIGNING_SECRET: 'bench-download-secret-0123456789abcdef',
      // The keyring sealing secrets at rest (id:base64 of 32 bytes).
      SECRET_KEYS: `bench:${Buffer.alloc(32, 7).toString('base64')}`,
      // Where carriers would call back (none does here; production wants https).
      CARRIER_CALLBACK_BASE_URL: 'https://bench.invalid',
    };
    let messagingDb!: { ownerUrl: string };
    const start = async (name: string, env: Record<string, string>) => {
      const db = await testing.createTestDatabase(name);
      dbs.push(db);
      if (name === 'messaging') messagingDb = db;
      // The migrations grant to the role of DATABASE_URL (appRoleOf).
      process.env.DATABASE_URL = db.appUrl;
      await dist(`services/${name}/src/database.js`).migrate(db.ownerUrl, db.appUrl);
      const port = await freePort();
      children.push(
        await startServiceProcess(
          root,
          name,
          {
            ...common,
            ...env,
            PORT: String(port),
            METRICS_PORT: String(await freePort()),
            DATABASE_URL: db.appUrl,
          },
          port,
        ),
      );
      return port;
    };
    const messagingPort = await start('messaging', {
      MESSAGE_SEND_RATE_PER_SECOND: '0',
      SCHEDULER_POLL_INTERVAL_MS: '100',
    });
    if (FULL) {
      await start('compliance', { RETENTION_ENABLED: 'false' });
    }

    const orgId = randomUUID();
    const token = await auth.token(orgId);
    const sendMessage = async (to: string): Promise<{ status: string; code?: string }> => {
      const response = await fetch(`http://127.0.0.1:${messagingPort}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'apollo-require-preflight': 'true',
          'x-subgraph-secret': SUBGRAPH_SECRET,
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({
          query: `mutation S($input: SendMessageInput!) { sendMessage(input: $input) { status error { code } } }`,
          variables: { input: { to, body: 'bench load' } },
        }),
      });
      const body = (await response.json()) as {
        data?: { sendMessage: { status: string; error: { code: string } | null } };
        errors?: { message: string }[];
      };
      if (!body.data) throw new Error(`sendMessage failed: ${JSON.stringify(body.errors)}`);
      return { status: body.data.sendMessage.status, code: body.data.sendMessage.error?.code };
    };

    // The organization and its phone, as accounts and devices announce them.
    const deviceId = `bench-phone-${randomUUID().slice(0, 8)}`;
    await publisher.publish('accounts', Topics.accounts.organization, orgId, orgId, {
      orgId,
      occurredAt: timestampFromDate(new Date()),
      event: {
        case: 'created',
        value: {
          organization: {
            orgId,
            slug: `bench-${orgId.slice(0, 8)}`,
            name: 'Bench',
            status: accountsV1.OrganizationStatus.ACTIVE,
            defaultCountry: 'US',
          },
        },
      },
    });
    await publisher.publish('devices', Topics.devices.device, deviceId, orgId, {
      deviceId,
      orgId,
      occurredAt: timestampFromDate(new Date()),
      event: {
        case: 'registered',
        value: {
          status: devicesV1.DeviceStatus.ONLINE,
          device: { name: 'bench', sims: [{ slot: 1, maskedNumber: '+1******0000' }] },
        },
      },
    });

    let version = 0n;
    /** Records the opt-out of `to`; resolves when it is accepted (produced, acked). */
    const optOut = async (to: string) => {
      if (FULL) {
        await publisher.publish('devices', Topics.devices.inbound, deviceId, orgId, {
          id: randomUUID(),
          orgId,
          deviceId,
          from: { e164: to },
          to: { e164: '' },
          body: 'STOP',
          simNumber: 1,
          receivedAt: timestampFromDate(new Date()),
        });
      } else {
        version += 1n;
        await publisher.publish(
          'compliance',
          Topics.compliance.suppression,
          `${orgId}:${to}`,
          orgId,
          {
            orgId,
            phoneNumber: { e164: to },
            optedOut: true,
            optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
            optedOutChangedAt: timestampFromDate(new Date()),
            version,
            updatedAt: timestampFromDate(new Date()),
          },
        );
      }
    };
    /** Sends to `to` until one is refused; the time from `since` to that reply. */
    const untilRefused = async (to: string, since: number, timeoutMs = 60_000) => {
      let probes = 0;
      for (;;) {
        const reply = await sendMessage(to);
        probes += 1;
        if (reply.status === 'REJECTED' && reply.code === 'OPTED_OUT') {
          return { ms: performance.now() - since, probes };
        }
        if (performance.now() - since > timeoutMs) throw new Error(`${to} never refused`);
      }
    };

    // When the opt-out reached messaging's projection (the owner reads the table directly).
    const reader = new Client({ connectionString: messagingDb.ownerUrl });
    reader.on('error', () => undefined); // the database is dropped at the end
    owner = reader;
    await reader.connect();
    await reader.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    const projected = async (to: string, since: number): Promise<number> => {
      for (;;) {
        const { rows } = await reader.query(
          `SELECT 1 FROM suppression_states WHERE org_id = $1 AND phone_number = $2 AND opted_out`,
          [orgId, to],
        );
        if (rows.length > 0) return performance.now() - since;
        if (performance.now() - since > 60_000) throw new Error(`${to} never projected`);
        await new Promise((r) => setTimeout(r, 2));
      }
    };

    // Warm-up: every consumer group has joined and the whole path works once.
    const warm = randomNumber();
    await sendMessage(warm);
    const warmStart = performance.now();
    await optOut(warm);
    await untilRefused(warm, warmStart, 120_000);

    // The load: sendMessage to other numbers at LOAD_RATE per second, all along.
    let loadSent = 0;
    let loadFailed = 0;
    let loading = true;
    const loadStarted = performance.now();
    const workerCount = Math.max(1, Math.ceil(LOAD_RATE / 5));
    const workers = Array.from({ length: workerCount }, async (_, w) => {
      const perWorker = LOAD_RATE / workerCount;
      let next = performance.now() + w * 7;
      while (loading && LOAD_RATE > 0) {
        next += 1000 / perWorker;
        await sendMessage(randomNumber()).then(
          () => (loadSent += 1),
          () => (loadFailed += 1),
        );
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    });

    const latencies: number[] = [];
    const applied: number[] = [];
    let probes = 0;
    for (let i = 0; i < REPETITIONS; i++) {
      const to = randomNumber();
      const since = performance.now();
      await optOut(to);
      const [result, appliedMs] = await Promise.all([
        untilRefused(to, since),
        projected(to, since),
      ]);
      latencies.push(result.ms);
      applied.push(appliedMs);
      probes += result.probes;
      await new Promise((r) => setTimeout(r, 100));
    }
    loading = false;
    await Promise.all(workers);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const raw = await rawKafkaLatency(
      dist,
      require,
      broker.brokers,
      Math.max(REPETITIONS, 30),
      200,
    );

    const l = latencyStats(latencies);
    const a = latencyStats(applied);
    const k = latencyStats(raw);
    console.log(
      `path=${FULL ? 'full (inbound STOP → messaging → compliance → suppression topic → messaging)' : 'suppression (state published → messaging projection)'}`,
    );
    console.log(
      `load: ${(loadSent / loadSeconds).toFixed(1)} sends/s to other numbers (${loadSent} sent, ${loadFailed} failed); ${probes} probe sends`,
    );
    console.log(
      `${FULL ? 'inbound STOP accepted' : 'opt-out published'} → send refused: ${latencyLine(l)}`,
    );
    console.log(`  of which: in messaging's projection:        ${latencyLine(a)}`);
    console.log(`raw Kafka produce → consume:                  ${latencyLine(k)}`);
    console.log(
      `ratio (opt-out / raw Kafka): p50 ${(l.p50 / k.p50).toFixed(2)}x  p99 ${(l.p99 / k.p99).toFixed(2)}x  mean ${(l.mean / k.mean).toFixed(2)}x`,
    );
    console.log(
      `ratio (projection / raw Kafka): p50 ${(a.p50 / k.p50).toFixed(2)}x  p99 ${(a.p99 / k.p99).toFixed(2)}x`,
    );
  } finally {
    await owner?.end().catch(() => undefined);
    await publisher.stop().catch(() => undefined);
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    auth.close();
    await broker.stop();
    for (const db of dbs) await db.drop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
