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
import {
  benchSetup,
  compareSignedIngest,
  runBench,
  startBenchService,
  verifyingServer,
  type BenchService,
  type PreparedRequest,
} from './bench-kit.ts';

const setup = benchSetup(import.meta.url);
const { seconds: SECONDS, concurrency: CONCURRENCY } = setup;
/** Callbacks prepared: more than the endpoint can take in SECONDS (each is used once). */
const PREPARED = Number(process.env.BENCH_CALLBACKS ?? 40_000);
const { loadMessagingConfig } = setup.dist('services/messaging/src/config.js');
const { CarrierAccountsService } = setup.dist(
  'services/messaging/src/carriers/carrier-accounts.service.js',
);
const twilio = setup.require('twilio');
const { Client } = setup.require('pg');

const say = (line: string) => process.stdout.write(`${line}\n`);
const PUBLIC = 'https://hooks.bench.test';
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');

async function main() {
  const service: BenchService = await startBenchService(setup, {
    service: 'messaging',
    database: 'messaging',
    loadConfig: loadMessagingConfig,
    env: {
      CARRIER_CALLBACK_BASE_URL: PUBLIC,
      CARRIER_WORKER_ENABLED: 'false',
      WEBHOOK_WORKER_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      RETENTION_ENABLED: 'false',
      PRIVACY_WORKER_ENABLED: 'false',
    },
  });
  let bare: { url: URL; close(): void } | undefined;
  const owner = new Client({ connectionString: service.db.ownerUrl });
  owner.on('error', () => undefined);
  try {
    const appUrl = service.url;

    // The account, through the service (its credentials sealed as in production).
    const orgId = randomUUID();
    const view = await service.app.get(CarrierAccountsService).create(
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
    const callbacks: PreparedRequest[] = [];
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
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, statusUrl, params),
        },
      });
    }
    say(
      `prepared ${PREPARED} signed "delivered" callbacks for ${PREPARED} SENT messages; ${CONCURRENCY} clients, ${SECONDS} s each`,
    );

    // The same signature check and nothing else.
    bare = await verifyingServer(
      (req, body) =>
        twilio.validateRequest(
          AUTH_TOKEN,
          String(req.headers['x-twilio-signature'] ?? ''),
          statusUrl,
          Object.fromEntries(new URLSearchParams(body.toString('utf8'))),
        ),
      { status: 204 },
    );
    await compareSignedIngest({
      requests: callbacks,
      bareUrl: bare.url,
      appUrl: new URL(statusUrl.replace(PUBLIC, appUrl)),
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      okStatus: 204,
      unit: 'callbacks',
      prepareMore: 'raise BENCH_CALLBACKS',
      bareLabel: 'bare Node + twilio.validateRequest',
      appLabel: 'messaging carrier-hooks',
      appName: 'messaging',
      appNote: async () => {
        const [{ n }] = (
          await owner.query(`SELECT count(*)::int AS n FROM messages WHERE status = 'DELIVERED'`)
        ).rows;
        return `${n} messages DELIVERED`;
      },
    });
  } finally {
    await owner.end().catch(() => undefined);
    bare?.close();
    await service.stop();
  }
}

runBench(main);
