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
/** Deliveries prepared: more than the endpoint can take in SECONDS (each is used once). */
const PREPARED = Number(process.env.BENCH_DELIVERIES ?? 60_000);
const { loadGhlSyncConfig } = setup.dist('services/ghl-sync/src/config.js');
const { Client } = setup.require('pg');

const say = (line: string) => process.stdout.write(`${line}\n`);
const LOCATION = 'loc-bench';

async function main() {
  const keys = generateKeyPairSync('ed25519');
  const service: BenchService = await startBenchService(setup, {
    service: 'ghl-sync',
    database: 'ghl_sync',
    loadConfig: loadGhlSyncConfig,
    env: {
      GHL_WEBHOOK_PUBLIC_KEY: keys.publicKey
        .export({ type: 'spki', format: 'der' })
        .toString('base64'),
      GHL_CALLBACK_INTERVAL_MS: '60000',
      RETENTION_ENABLED: 'false',
    },
  });
  let bare: { url: URL; close(): void } | undefined;
  const owner = new Client({ connectionString: service.db.ownerUrl });
  owner.on('error', () => undefined);
  try {
    const appUrl = new URL(`${service.url}/ghl/webhooks/provider`);

    // The location, linked to an organization (what an install leaves in the directory).
    const orgId = randomUUID();
    await owner.connect();
    await owner.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    await owner.query(
      `INSERT INTO ghl_directory (org_id, kind, ghl_id, active, updated_at) VALUES ($1, 'LOCATION', $2, true, now())`,
      [orgId, LOCATION],
    );
    const deliveries: PreparedRequest[] = [];
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
        headers: {
          'content-type': 'application/json',
          'x-ghl-signature': sign(null, Buffer.from(body), keys.privateKey).toString('base64'),
        },
      });
    }
    say(
      `prepared ${PREPARED} signed provider deliveries; ${CONCURRENCY} clients, ${SECONDS} s each`,
    );

    // The same Ed25519 check over the raw bytes, and nothing else.
    bare = await verifyingServer(
      (req, body) =>
        verify(
          null,
          body,
          keys.publicKey,
          Buffer.from(String(req.headers['x-ghl-signature'] ?? ''), 'base64'),
        ),
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: '{"received":"accepted"}',
      },
    );
    await compareSignedIngest({
      requests: deliveries,
      bareUrl: bare.url,
      appUrl,
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      okStatus: 200,
      unit: 'deliveries',
      prepareMore: 'raise BENCH_DELIVERIES',
      bareLabel: 'bare Node + Ed25519 verify',
      appLabel: 'ghl-sync /ghl/webhooks/provider',
      appName: 'ghl-sync',
      appNote: async () => {
        const [{ n }] = (await owner.query(`SELECT count(*)::int AS n FROM provider_messages`))
          .rows;
        return `${n} deliveries recorded`;
      },
    });
  } finally {
    await owner.end().catch(() => undefined);
    bare?.close();
    await service.stop();
  }
}

runBench(main);
