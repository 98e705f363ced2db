// Metering throughput: message events per second that billing turns into usage-ledger entries
// (consumer → tenant transaction → usage entry, allowance counter, wallet reservation, quota
// published through the outbox), printed next to the raw consumption rate of the same topic
// (a bare kafkajs consumer that only decodes) measured in the same run on the same broker.
//
//   node tools/build.mjs && node bench/metering-throughput.ts [--events 2000] [--orgs 20] [--concurrency 12]
//
// Produces --events QUEUED events (distinct messages, spread over --orgs organizations, each
// past its free allowance after 100 segments so most reservations hit the wallet) onto
// messaging.message.v1 of a private broker, then consumes the topic twice from offset 0: raw,
// and by the billing app (from dist/, in process, against a fresh database) until every event is
// in processed_events. Needs the local stack (PostgreSQL). Not part of the test suite.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const dist = (path: string) => require(join(root, 'dist', path));

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    orgs: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '12' },
  },
});
const EVENTS = Number(values.events);
const ORGS = Number(values.orgs);

const testing = dist('libs/testing/src/index.js');
const { Topics, messagingV1, ceTypeOf } = dist('libs/contracts/src/index.js');
const { createServiceApp } = dist('libs/service-kit/src/index.js');
const { createLogger } = dist('libs/observability/src/index.js');
const { AppModule } = dist('services/billing/src/app.module.js');
const { loadBillingConfig } = dist('services/billing/src/config.js');
const { migrate } = dist('services/billing/src/database.js');
const { create, toBinary, fromBinary } = require('@bufbuild/protobuf');
const { timestampFromDate } = require('@bufbuild/protobuf/wkt');
const { Kafka, logLevel } = require('kafkajs');
const { Client } = require('pg');

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const broker = await testing.startPrivateBroker();
  const db = await testing.createTestDatabase('billing');
  let app: { close(): Promise<void> } | undefined;
  try {
    await migrate(db.ownerUrl, db.appUrl);
    const kafka = new Kafka({
      clientId: 'bench',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
    });
    const orgs = Array.from({ length: ORGS }, () => randomUUID());
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const topic = Topics.messaging.message;
    for (let start = 0; start < EVENTS; start += 500) {
      const messages = [];
      for (let i = start; i < Math.min(EVENTS, start + 500); i++) {
        const orgId = orgs[i % ORGS];
        const messageId = randomUUID();
        const event = create(topic.schema, {
          messageId,
          orgId,
          kind: messagingV1.MessageEventKind.QUEUED,
          status: messagingV1.MessageStatus.QUEUED,
          direction: messagingV1.Direction.OUTBOUND,
          to: { e164: '+14155550123' },
          segments: 1,
          route: messagingV1.Route.DEVICE,
          sequence: 1,
          occurredAt: timestampFromDate(new Date()),
        });
        messages.push({
          key: messageId,
          value: Buffer.from(toBinary(topic.schema, event)),
          headers: {
            ce_specversion: '1.0',
            ce_id: randomUUID(),
            ce_type: ceTypeOf(topic, event),
            ce_source: '/switchboard/bench',
            ce_time: new Date().toISOString(),
            ce_orgid: orgId,
            'content-type': 'application/protobuf',
          },
        });
      }
      await producer.send({ topic: topic.name, messages });
    }
    await producer.disconnect();
    say(`produced ${EVENTS} QUEUED events for ${ORGS} organizations on ${topic.name}`);

    // 1. Raw consumption: decode only.
    const raw = kafka.consumer({ groupId: `bench-raw-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await raw.connect();
    await raw.subscribe({ topic: topic.name, fromBeginning: true });
    let seen = 0;
    const rawStart = performance.now();
    await new Promise<void>((resolve) => {
      void raw.run({
        eachMessage: async ({ message }: { message: { value: Buffer } }) => {
          fromBinary(topic.schema, message.value);
          if (++seen === EVENTS) resolve();
        },
      });
    });
    const rawSeconds = (performance.now() - rawStart) / 1000;
    await raw.disconnect();

    // 2. Billing: until every event is in processed_events.
    const config = loadBillingConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.appUrl,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      KAFKA_GROUP_ID: `billing-bench-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'error',
      KAFKA_PARTITIONS_CONCURRENTLY: values.concurrency,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    });
    const logger = createLogger({ service: 'billing', level: 'error' });
    // The superuser: row-level security lifted for the counts.
    const adminUrl = new URL(testing.stackSetting('PG_ADMIN_URL'));
    adminUrl.pathname = `/${db.name}`;
    const pg = new Client({ connectionString: adminUrl.toString() });
    await pg.connect();
    const meteredStart = performance.now();
    const started = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: 'billing',
      config,
      logger,
    });
    await started.init();
    app = started;
    // Steady state: from the first metered event on (the app's start and the consumer group's
    // join excluded), as well as the whole run.
    let first: { at: number; n: number } | undefined;
    for (;;) {
      const { rows } = await pg.query(
        `SELECT count(*)::int AS n FROM processed_events WHERE topic = $1`,
        [topic.name],
      );
      if (!first && rows[0].n > 0) first = { at: performance.now(), n: rows[0].n };
      if (rows[0].n >= EVENTS) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const meteredSeconds = (performance.now() - meteredStart) / 1000;
    const steadySeconds = (performance.now() - first!.at) / 1000;
    const steadyRate = (EVENTS - first!.n) / steadySeconds;
    const { rows: ledger } = await pg.query(`SELECT count(*)::int AS n FROM usage_entries`);
    await pg.end();

    say(
      `raw consumption: ${EVENTS} events in ${rawSeconds.toFixed(2)} s = ${Math.round(EVENTS / rawSeconds)} events/s`,
    );
    say(
      `metering:        ${EVENTS} events in ${meteredSeconds.toFixed(2)} s = ${Math.round(EVENTS / meteredSeconds)} events/s (app start included; ${ledger[0].n} usage entries; ${values.concurrency} partitions at a time)`,
    );
    say(
      `metering steady: ${Math.round(steadyRate)} events/s from the first metered event on; ratio to raw ${(steadyRate / (EVENTS / rawSeconds)).toFixed(3)}`,
    );
  } finally {
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
