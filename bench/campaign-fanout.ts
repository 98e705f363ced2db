// Issue 13's fan-out benchmark: how fast a campaign turns recipients into messages.
//
//   node tools/build.mjs && node bench/campaign-fanout.ts [--recipients 100000] [--rate 600000]
//     [--path set-based|per-input]   (per-input: MESSAGE_SEND_BATCH_SET_BASED=false, the path
//                                     before issue 17 B1b's set-based chunks, for a same-run ratio)
//   node --cpu-prof --cpu-prof-dir=<dir> bench/campaign-fanout.ts   (messaging runs in this
//                                   process: its profile; then node bench/profile-top.cjs <dir>)
//
// Messaging from dist/ in this process (bench-kit's startBenchService: a fresh database, a private
// broker). N contacts and a static list of them are bulk-loaded straight in SQL; quiet hours are
// off; the campaign runs at a rate far above what it can do (CAMPAIGN_MAX_RATE_PER_MINUTE) with
// no route and no phone online (so pacing never waits for capacity: the device pool's planned
// rate without phones is the requested one), and no per-organization send limit. What is
// measured is message creation through the real send path (policies, idempotency, the message
// row, its dispatch command and events in the outbox): messages created per second from the
// start call to the last message row's created_at. Baseline, same run and database: plain
// multi-row INSERTs (1,000 rows a statement, the runner's step) of N rows into a table with the
// messages table's columns and no index, constraint or trigger. Prints both and the ratio.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmt, runBench, startBenchService, type BenchSetup } from './bench-kit.ts';

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '600000' },
    'timeout-s': { type: 'string', default: '1800' },
    path: { type: 'string', default: 'set-based' },
  },
});
const N = Number(values.recipients);
const STEP = 1000;

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const setup: BenchSetup = {
  root,
  require,
  dist: (path) => require(join(root, 'dist', path)),
  seconds: 0,
  concurrency: 0,
};
const { Client } = require('pg');
// Every statement messaging (in this process) sends while the campaign runs: round trips per message.
// BENCH_STATEMENTS=1 also prints the most frequent statements (their first 90 characters).
let statements = 0;
const kinds = new Map<string, number>();
const query = Client.prototype.query;
Client.prototype.query = function (this: unknown, ...args: unknown[]) {
  statements += 1;
  if (process.env.BENCH_STATEMENTS) {
    const first = args[0] as string | { text?: string };
    const text = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ');
    const kind = text.slice(0, 90);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return query.apply(this, args);
};

async function main(): Promise<void> {
  const { loadMessagingConfig } = setup.dist('services/messaging/src/config.js');
  const { CampaignsService } = setup.dist('services/messaging/src/campaigns/campaigns.service.js');
  const service = await startBenchService(setup, {
    service: 'messaging',
    database: 'messaging',
    loadConfig: loadMessagingConfig,
    env: {
      CAMPAIGN_MAX_RATE_PER_MINUTE: values.rate!,
      CAMPAIGN_POLL_INTERVAL_MS: '50',
      MESSAGE_SEND_RATE_PER_SECOND: '0',
      CARRIER_WORKER_ENABLED: 'false',
      WEBHOOK_WORKER_ENABLED: 'false',
      MESSAGE_SEND_BATCH_SET_BASED: String(values.path !== 'per-input'),
    },
  });
  const sql = new Client({ connectionString: service.db.ownerUrl });
  await sql.connect();
  try {
    const orgId = randomUUID();
    const listId = randomUUID();
    // Tenant tables have row-level security for the owner too: this session is the tenant's.
    await sql.query(`SELECT set_config('app.org_id', $1, false)`, [orgId]);
    const loadStarted = performance.now();
    await sql.query(
      `INSERT INTO organization_policies (org_id, quiet_hours_enabled, window_start_minute,
         window_end_minute, transactional_action, apply_state_rules,
         consent_required_for_campaigns, version)
       VALUES ($1, false, 0, 0, 'SEND', false, false, 1)`,
      [orgId],
    );
    await sql.query(
      `INSERT INTO contacts (id, org_id, phone_number, name, attributes, created_at, updated_at)
       SELECT gen_random_uuid(), $1,
              '+1' || (CASE WHEN n % 2 = 0 THEN '415' ELSE '628' END) || lpad((2000000 + n / 2)::text, 7, '0'),
              'Person ' || n, jsonb_build_object('first_name', 'P' || n), now(), now()
         FROM generate_series(0, $2::int - 1) n`,
      [orgId, N],
    );
    await sql.query(
      `INSERT INTO contact_lists (id, org_id, name, kind, member_count, created_at, updated_at)
       VALUES ($1, $2, 'Fan-out', 'STATIC', $3, now(), now())`,
      [listId, orgId, N],
    );
    await sql.query(
      `INSERT INTO contact_list_members (org_id, list_id, contact_id, added_at)
       SELECT $1, $2, id, now() FROM contacts`,
      [orgId, listId],
    );
    await sql.query('ANALYZE');
    console.log(
      `campaign fan-out (${values.path} sendBatch), ${N} recipients (loaded in SQL in ${fmt((performance.now() - loadStarted) / 1000)} s)`,
    );

    const campaigns = service.app.get(CampaignsService);
    const campaign = await campaigns.create(orgId, {
      name: 'Fan-out',
      listId,
      template: 'Hi {{first_name|there}}, our sale starts today. Reply STOP to opt out.',
      ratePerMinute: Number(values.rate),
    });
    const { rows: clock } = await sql.query(`SELECT clock_timestamp() AS at`);
    const startedAt: Date = clock[0].at;
    const statementsBefore = statements;
    await campaigns.act(orgId, campaign.id, 'start');
    const deadline = Date.now() + Number(values['timeout-s']) * 1000;
    let created = 0;
    for (;;) {
      const { rows } = await sql.query(
        `SELECT messages_created + messages_rejected + send_errors AS done, status FROM campaigns WHERE id = $1`,
        [campaign.id],
      );
      created = Number(rows[0].done);
      if (created >= N || rows[0].status === 'COMPLETED') break;
      if (Date.now() > deadline) {
        // Report what was created so far (over the time it took) rather than nothing.
        console.log(`  timed out after --timeout-s: ${created} of ${N} recipients done`);
        await campaigns.act(orgId, campaign.id, 'cancel');
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const { rows: span } = await sql.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'REJECTED')::int AS rejected,
              extract(epoch FROM max(created_at) - $2::timestamptz)::float8 AS seconds
         FROM messages WHERE campaign_id = $1`,
      [campaign.id, startedAt],
    );
    const sent = statements - statementsBefore;
    const messages = span[0].n as number;
    const seconds = span[0].seconds as number;
    const fanout = messages / seconds;

    // Baseline: the same number of rows, plain multi-row INSERTs into a table like messages.
    await sql.query(`CREATE TABLE bench_plain_messages (LIKE messages INCLUDING DEFAULTS)`);
    const insertStarted = performance.now();
    for (let i = 0; i < N; i += STEP) {
      const rows = Math.min(STEP, N - i);
      await sql.query(
        `INSERT INTO bench_plain_messages (id, org_id, direction, status, to_number, body, encoding,
           segments, campaign_id, idempotency_key, purpose, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'OUTBOUND', 'QUEUED', u.to_number, u.body, 'GSM7', 1, $2,
                u.key, 'CAMPAIGN', now(), now()
           FROM unnest($3::text[], $4::text[], $5::text[]) AS u (to_number, body, key)`,
        [
          orgId,
          campaign.id,
          Array.from(
            { length: rows },
            (_, k) => `+1415${String(2_000_000 + i + k).padStart(7, '0')}`,
          ),
          Array.from(
            { length: rows },
            (_, k) => `Hi P${i + k}, our sale starts today. Reply STOP to opt out.`,
          ),
          Array.from({ length: rows }, () => randomUUID()),
        ],
      );
    }
    const insertSeconds = (performance.now() - insertStarted) / 1000;
    const baseline = N / insertSeconds;
    console.log(
      `  campaign fan-out:   ${messages} messages (${span[0].rejected} rejected) in ${fmt(seconds, 2)} s: ${Math.round(fanout)} messages/s`,
    );
    console.log(
      `  plain INSERTs:      ${N} rows in ${fmt(insertSeconds, 2)} s (${STEP} a statement): ${Math.round(baseline)} rows/s`,
    );
    console.log(`  ratio fan-out / plain INSERT: ${fmt(fanout / baseline, 3)}`);
    console.log(
      `  SQL statements during the fan-out: ${sent} (${fmt(sent / messages)} a message, the bench's polling included)`,
    );
    if (process.env.BENCH_STATEMENTS) {
      for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
        console.log(`    ${fmt(n / messages, 2).padStart(6)} a message  ${kind}`);
      }
    }
  } finally {
    await sql.end();
    await service.stop();
  }
}

runBench(main);
