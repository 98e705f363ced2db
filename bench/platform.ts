// The performance figures of issue 17 in one command, each with its baseline measured in the
// same run (the machine may be shared and loaded: only ratios compare across runs):
//   node tools/build.mjs && node bench/platform.cjs
//
//   B1   sendMessage through the gateway vs a bare Node HTTP server (closed loop, BENCH_CONCURRENCY
//        clients), then latency at half of that rate (open loop);
//   B1b  sendMessages (BENCH_BATCH inputs a call) through the gateway, messages/s vs single-row
//        INSERTs (pgbench, or a pg INSERT loop without it);
//   B4   messages(first: 20), sequential and interleaved, through the gateway vs straight to the
//        messaging subgraph, p50/p99; and through a bare Node proxy (the hop alone, for scale);
//   B8   RSS of every platform process (services + gateway, as startPlatform/tools/start.sh run
//        them; PostgreSQL and the broker excluded) at idle and after a BENCH_FOOTPRINT_SECONDS load;
//   B3   dispatch latency (bench/dispatch-latency.ts, run after the platform stopped: a
//        devices.dispatch.v1 command → a simulated phone holds the message) vs a raw Kafka
//        produce→consume round trip on the same broker in the same run, p50/p95.
// Every figure is printed with its baseline, its ratio, the issue's goal and PASS or MISS.
// B1 and B1b also print what a message cost each platform process in CPU (the load and the
// dispatch and metering that follow it; one figure per process, so BENCH_MODE=processes splits
// it by component). Each part starts once the platform is idle again (the previous part's
// backlog done), so no part measures the one before.
//
// The platform runs as the start command runs it: BENCH_MODE single-process (default: every
// component a worker thread of one process) or processes (one each, as the Helm chart does),
// with BENCH_NODE_FLAGS (default the start command's memory flags; '' for Node's defaults).
// BENCH_SECONDS (10), BENCH_CONCURRENCY (32), BENCH_BATCH (200), BENCH_BATCH_CONCURRENCY (4),
// BENCH_READS (1000), BENCH_FOOTPRINT_SECONDS (60), BENCH_PARTS (b1,b1b,b4,b8,b3),
// BENCH_B3_ARGS (default '--devices 10 --messages 100').
// BENCH_CPU_PROF=<dir>: every platform process writes a V8 CPU profile there at exit; summarize
// with `node bench/profile-top.cjs <dir>`.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent } from 'node:http';
import { Client } from 'pg';
import {
  createTestDatabase,
  loadStackEnv,
  stackSetting,
  startPlatform,
  type Platform,
} from '@switchboard/testing';
import {
  bareHttp,
  bareProxy,
  closedLoad,
  cpuMs,
  fmt,
  insertBaseline,
  pacedLoad,
  percentile,
  post,
  rssMiB,
  type LoadResult,
  type Target,
} from './bench-kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BATCH = Number(process.env.BENCH_BATCH ?? 200);
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);
const READS = Number(process.env.BENCH_READS ?? 1000);
const FOOTPRINT_SECONDS = Number(process.env.BENCH_FOOTPRINT_SECONDS ?? 60);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'b1,b1b,b4,b8,b3').split(','));
const B3_ARGS = (process.env.BENCH_B3_ARGS ?? '--devices 10 --messages 100').split(/\s+/);
const SUBGRAPH_SECRET = 'e2e-subgraph-secret-0123456789abcdef';
const MODE = process.env.BENCH_MODE === 'processes' ? 'processes' : 'single-process';
const NODE_FLAGS = (
  process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=4 --heap-growing-percent=10'
)
  .split(/\s+/)
  .filter(Boolean);

const SEND =
  'mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { id status } }';
const SEND_MANY =
  'mutation SendMany($inputs: [SendMessageInput!]!) { sendMessages(inputs: $inputs) { sent failed } }';
const READ = 'query Read { messages(first: 20) { nodes { id status to body createdAt } } }';

/** PASS or MISS against a goal. */
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

/**
 * B3: bench/dispatch-latency.ts in a child process (it starts its own devices service, broker
 * and phones); its p50/p95 of dispatch and of the raw Kafka round trip, from its output.
 */
async function dispatchLatency(): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(__dirname, 'dispatch-latency.ts'), ...B3_ARGS],
    { maxBuffer: 1 << 20, timeout: 600_000 },
  );
  const stats = (label: RegExp) => {
    const found = stdout.split('\n').find((l) => label.test(l));
    const at = (name: string) => Number(new RegExp(`${name}=([0-9.]+)`).exec(found ?? '')?.[1]);
    return { p50: at('p50'), p95: at('p95'), line: found?.trim() ?? '(missing)' };
  };
  const dispatch = stats(/^dispatch/);
  const raw = stats(/^raw Kafka/);
  const p50 = dispatch.p50 / raw.p50;
  const p95 = dispatch.p95 / raw.p95;
  return [
    `  B3 dispatch latency (${B3_ARGS.join(' ')}): ${dispatch.line}`,
    `     baseline ${raw.line}`,
    `     ratio p50 ${fmt(p50, 2)}x, p95 ${fmt(p95, 2)}x (goal <= 1.3x) ${verdict(p50 <= 1.3 && p95 <= 1.3)}`,
  ];
}

const line = (name: string, r: LoadResult, unit = '/s') =>
  `  ${name.padEnd(48)} ${fmt(r.perSecond, 0).padStart(7)} ${unit}  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms  errors ${r.errors}`;

/**
 * The platform's processes by pid, each named by its components (in single-process mode one
 * process holds every component: "accounts+devices+…").
 */
function processesOf(platform: Platform): { name: string; pid: number | undefined }[] {
  const byPid = new Map<number | undefined, string[]>();
  for (const p of platform.processes) byPid.set(p.pid, [...(byPid.get(p.pid) ?? []), p.name]);
  return [...byPid].map(([pid, names]) => ({ name: names.join('+'), pid }));
}

/** RSS per process. */
function footprint(platform: Platform): { total: number; each: string } {
  const each = processesOf(platform).map((p) => ({ name: p.name, mib: rssMiB(p.pid) }));
  return {
    total: each.reduce((sum, p) => sum + p.mib, 0),
    each: each.map((p) => `${p.name} ${fmt(p.mib, 0)}`).join(', '),
  };
}

/** CPU milliseconds used so far by each platform process. */
function cpuByProcess(platform: Platform): Map<string, number> {
  return new Map(processesOf(platform).map((p) => [p.name, cpuMs(p.pid)]));
}

/**
 * CPU milliseconds used so far by the machine's PostgreSQL and broker processes (all of them:
 * during a run only the platform keeps them busy). A backend that exits takes its CPU with it;
 * the platform's pools keep theirs.
 */
function infrastructureCpu(): Map<string, number> {
  const sums = new Map([
    ['PostgreSQL', 0],
    ['broker', 0],
  ]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue; // gone meanwhile
    }
    const name = comm === 'postgres' ? 'PostgreSQL' : comm === 'sb-broker' ? 'broker' : undefined;
    if (name) sums.set(name, sums.get(name)! + cpuMs(Number(entry)));
  }
  return sums;
}

/**
 * Transactions each component's database has committed or rolled back so far (PostgreSQL's
 * pg_stat_database; a statement outside a transaction counts as one), by component.
 */
async function transactionsByComponent(platform: Platform): Promise<Map<string, number>> {
  const client = new Client({ connectionString: stackSetting('PG_ADMIN_URL') });
  await client.connect();
  try {
    // The counters are sent to the statistics system at the end of each transaction, at most
    // once a second: read them fresh.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ datname: string; n: string }>(
      `SELECT datname, (xact_commit + xact_rollback)::text AS n FROM pg_stat_database`,
    );
    const byName = new Map(rows.map((r) => [r.datname, Number(r.n)]));
    return new Map(
      platform.processes
        .filter((p) => p.databaseUrl)
        .map((p) => [p.name, byName.get(new URL(p.databaseUrl!).pathname.slice(1)) ?? 0]),
    );
  } finally {
    await client.end();
  }
}

/** A component's event-loop delay (max, p99) and garbage-collection time, from its metrics. */
interface LoopStats {
  maxMs: number;
  p99Ms: number;
  gcMs: number;
}

/**
 * prom-client's event-loop histogram samples every 10 ms (its default precision) and records the
 * time between two samples: what is over 10 ms is how late the loop was.
 */
const late = (seconds: number) => Math.max(0, seconds * 1000 - 10);

/**
 * Each component's event-loop delay since the previous call and its GC time so far, from its
 * Prometheus metrics (prom-client's default ones: the delay histogram starts anew at each
 * scrape, nodejs_gc_duration_seconds counts on). Call once to start a window, once to read it.
 */
async function loopStats(platform: Platform): Promise<Map<string, LoopStats>> {
  const each = await Promise.all(
    platform.processes.map(async (p): Promise<[string, LoopStats]> => {
      const text = await (await fetch(`${p.metricsUrl}/metrics`)).text();
      const value = (pattern: RegExp) =>
        [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
      return [
        p.name,
        {
          maxMs: late(value(/^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/gm)),
          p99Ms: late(value(/^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/gm)),
          gcMs: value(/^nodejs_gc_duration_seconds_sum(?:\{[^}]*\})? (\S+)$/gm) * 1000,
        },
      ];
    }),
  );
  return new Map(each);
}

/** The window's event-loop delays and GC time by component, the largest delay first. */
function loopLine(before: Map<string, LoopStats>, after: Map<string, LoopStats>): string {
  const rows = [...after]
    .map(([name, a]) => ({ name, ...a, gcMs: a.gcMs - (before.get(name)?.gcMs ?? 0) }))
    .sort((x, y) => y.maxMs - x.maxMs)
    .map((r) => `${r.name} ${fmt(r.maxMs, 0)} / ${fmt(r.p99Ms, 0)} / ${fmt(r.gcMs, 0)}`);
  return `     how late each event loop was (max / p99 ms) and its GC ms in that time: ${rows.join(', ')}`;
}

/** Messaging's messages by status (as the platform's superuser: every organization). */
async function messageStatuses(platform: Platform): Promise<string> {
  const messaging = platform.processes.find((p) => p.name === 'messaging');
  if (!messaging?.databaseUrl) return '';
  const url = new URL(stackSetting('PG_ADMIN_URL'));
  url.pathname = new URL(messaging.databaseUrl).pathname;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM messages GROUP BY status ORDER BY 2 DESC',
    );
    return rows.map((r) => `${r.status} ${r.n}`).join(', ');
  } finally {
    await client.end();
  }
}

/** Transactions a message cost each component's database, idle use not deducted. */
function transactionsPerMessage(
  before: Map<string, number>,
  after: Map<string, number>,
  messages: number,
): string {
  const each = [...after]
    .map(([name, n]) => ({ name, n: (n - (before.get(name) ?? 0)) / Math.max(1, messages) }))
    .sort((a, b) => b.n - a.n);
  const total = each.reduce((sum, p) => sum + p.n, 0);
  return `     database transactions per message ${fmt(total, 1)} (${each.map((p) => `${p.name} ${fmt(p.n, 1)}`).join(', ')})`;
}

/** CPU use of each process between two cpuByProcess readings, in ms. */
function cpuDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([name, ms]) => [name, ms - (before.get(name) ?? 0)]));
}

/**
 * CPU per process at idle, in milliseconds per second (the consumers' polls, timers), and the
 * same of PostgreSQL and the broker (`infrastructure`).
 */
async function idleCpu(
  platform: Platform,
  seconds = 5,
): Promise<{ platform: Map<string, number>; infrastructure: Map<string, number> }> {
  const before = cpuByProcess(platform);
  const infraBefore = infrastructureCpu();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const rate = (used: Map<string, number>) =>
    new Map([...used].map(([name, ms]) => [name, ms / seconds]));
  return {
    platform: rate(cpuDelta(before, cpuByProcess(platform))),
    infrastructure: rate(cpuDelta(infraBefore, infrastructureCpu())),
  };
}

/**
 * CPU milliseconds per message of each process over a load (`used`, `seconds` long), less what
 * it spends idle in as long (`idle`: milliseconds per second).
 */
function perMessage(
  used: Map<string, number>,
  idle: Map<string, number>,
  seconds: number,
  messages: number,
): { name: string; ms: number }[] {
  return [...used].map(([name, ms]) => ({
    name,
    ms: Math.max(0, ms - (idle.get(name) ?? 0) * seconds) / Math.max(1, messages),
  }));
}

/** PostgreSQL's and the broker's CPU per message over a load, idle use deducted. */
function infrastructurePerMessage(
  used: Map<string, number>,
  idle: Map<string, number>,
  seconds: number,
  messages: number,
): string {
  const each = perMessage(used, idle, seconds, messages);
  return `     and outside the platform: ${each.map((p) => `${p.name} ${fmt(p.ms, 2)} ms`).join(', ')} per message`;
}

/**
 * What a message cost each process in CPU over a load and what it left behind (before/after
 * cpuByProcess, `seconds` apart), less what the process spends idle in as long; largest first,
 * with the total and the rate 2 cores could sustain at that cost.
 */
function cpuPerMessage(
  used: Map<string, number>,
  idle: Map<string, number>,
  seconds: number,
  messages: number,
): string {
  const each = perMessage(used, idle, seconds, messages).sort((a, b) => b.ms - a.ms);
  const total = each.reduce((sum, p) => sum + p.ms, 0);
  return `     CPU per message ${fmt(total, 2)} ms, idle use deducted (${each.map((p) => `${p.name} ${fmt(p.ms, 2)}`).join(', ')}); 2 cores at that cost: ${fmt(2000 / total, 0)} msg/s`;
}

/**
 * Waits until the platform is back to its idle CPU use (within a tenth of a core over a
 * second), so a part does not measure the backlog of the one before (dispatch and metering of
 * its messages run on after its load ends). Gives up after `maxSeconds` and says so.
 */
async function settle(
  platform: Platform,
  idle: Map<string, number>,
  maxSeconds = 180,
): Promise<string> {
  const idleTotal = [...idle.values()].reduce((a, b) => a + b, 0);
  const started = Date.now();
  for (;;) {
    const before = cpuByProcess(platform);
    await new Promise((r) => setTimeout(r, 1000));
    const used = [...cpuDelta(before, cpuByProcess(platform)).values()].reduce((a, b) => a + b, 0);
    const waited = (Date.now() - started) / 1000;
    if (used - idleTotal < 100) return `settled in ${fmt(waited, 0)} s`;
    if (waited > maxSeconds) return `still busy after ${fmt(waited, 0)} s`;
  }
}

async function signUp(graphqlUrl: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }',
      variables: {
        input: {
          email: `bench-${randomUUID().slice(0, 8)}@example.com`,
          password: 'a long bench passphrase 1',
          organizationName: `Bench ${randomUUID().slice(0, 6)}`,
        },
      },
    }),
  });
  const body = (await response.json()) as { data?: { signUp: { accessToken: string } } };
  if (!body.data) throw new Error(`sign-up failed: ${JSON.stringify(body)}`);
  return body.data.signUp.accessToken;
}

/**
 * Sequential reads, one request to each target in turn (the gateway, the subgraph, the subgraph
 * through a bare proxy): p50 and p99 of each, and the reads that failed.
 */
async function reads(targets: Record<'gateway' | 'subgraph' | 'proxy', Target>) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const names = Object.keys(targets) as (keyof typeof targets)[];
  const latencies = new Map(names.map((name) => [name, [] as number[]]));
  let errors = 0;
  for (let i = 0; i < 20; i++) for (const name of names) await post(agent, targets[name]);
  for (let i = 0; i < READS; i++)
    for (const name of names) {
      const took = await post(agent, targets[name]);
      if (took === undefined) errors++;
      else latencies.get(name)?.push(took);
    }
  agent.destroy();
  const figures = (name: keyof typeof targets) => {
    const sorted = (latencies.get(name) ?? []).sort((x, y) => x - y);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  return {
    errors,
    gateway: figures('gateway'),
    subgraph: figures('subgraph'),
    proxy: figures('proxy'),
  };
}

async function main(): Promise<void> {
  loadStackEnv();
  console.log(
    `platform bench: ${CONCURRENCY} clients, ${SECONDS} s a measurement, batches of ${BATCH} x ${BATCH_CONCURRENCY}, load avg ${(
      await import('node:os')
    )
      .loadavg()
      .map((l) => fmt(l))
      .join(' ')}`,
  );
  const http = await bareHttp(SECONDS, CONCURRENCY);
  const scratch = await createTestDatabase('messaging');
  let inserts: { perSecond: number; how: string };
  try {
    inserts = await insertBaseline(scratch.ownerUrl, SECONDS, CONCURRENCY);
  } finally {
    await scratch.drop();
  }
  const profileDir = process.env.BENCH_CPU_PROF;
  const platform = await startPlatform({
    label: 'bench',
    // An empty broker of its own: on the stack's broker the run's new consumer groups would
    // first work through every event the long-lived broker retained (fromBeginning), which
    // showed as dispatch and metering CPU during a read-only B4 run (issue 17).
    broker: 'private',
    mode: MODE,
    nodeOptions: NODE_FLAGS,
    env: {
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      // The raw send path: no per-organization send rate limit, no plan to run out of.
      MESSAGE_SEND_RATE_PER_SECOND: '0',
      DEFAULT_PLAN_ID: 'postpaid',
      SUBGRAPH_SHARED_SECRET: SUBGRAPH_SECRET,
      ...(profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
    },
  });
  const out: string[] = [
    `  platform: ${MODE}, node ${NODE_FLAGS.join(' ') || '(default flags)'}`,
    `  baselines: bare Node HTTP ${fmt(http.perSecond, 0)} req/s (p50 ${fmt(http.p50)} ms); ${inserts.how} ${fmt(inserts.perSecond, 0)} tx/s`,
  ];
  try {
    if (!platform.graphqlUrl) throw new Error('the gateway is not built (node tools/build.mjs)');
    await new Promise((r) => setTimeout(r, 5000)); // settle after start-up
    const idle = footprint(platform);
    const idleUse = await idleCpu(platform);
    const idleCpuUse = idleUse.platform;
    out.push(
      `  idle CPU ${fmt([...idleCpuUse.values()].reduce((a, b) => a + b, 0) / 10, 1)} % of a core (${[...idleCpuUse].map(([n, ms]) => `${n} ${fmt(ms / 10, 1)}`).join(', ')})`,
    );
    const token = await signUp(platform.graphqlUrl);
    const headers = { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' };
    const queued = (status: number, text: string) => status === 200 && text.includes('"QUEUED"');
    const single: Target = {
      url: platform.graphqlUrl,
      headers,
      body: () =>
        JSON.stringify({
          query: SEND,
          variables: { input: { to: '+14155550123', body: 'Your code is 123456' } },
        }),
      ok: queued,
    };

    if (PARTS.has('b1')) {
      await closedLoad(single, 2, CONCURRENCY);
      await settle(platform, idleCpuUse);
      const cpuBefore = cpuByProcess(platform);
      const infraBefore = infrastructureCpu();
      const txBefore = await transactionsByComponent(platform);
      const started = Date.now();
      const b1 = await closedLoad(single, SECONDS, CONCURRENCY);
      // With what the platform still does for those messages after the load (dispatch, metering).
      const settled = await settle(platform, idleCpuUse);
      const cpuUsed = cpuDelta(cpuBefore, cpuByProcess(platform));
      const infraUsed = cpuDelta(infraBefore, infrastructureCpu());
      const txAfter = await transactionsByComponent(platform);
      const cpuSeconds = (Date.now() - started) / 1000;
      const loopBefore = await loopStats(platform);
      // The bench's own loop too: a response it reads late is counted in the latency.
      const client = monitorEventLoopDelay({ resolution: 10 });
      client.enable();
      const half = await pacedLoad(single, SECONDS, Math.max(1, b1.perSecond / 2));
      client.disable();
      const loopAfter = await loopStats(platform);
      loopAfter.set('bench client', {
        maxMs: late(client.max / 1e9),
        p99Ms: late(client.percentile(99) / 1e9),
        gcMs: 0,
      });
      out.push(line('B1 sendMessage via gateway (msg)', b1));
      out.push(cpuPerMessage(cpuUsed, idleCpuUse, cpuSeconds, b1.requests));
      out.push(
        infrastructurePerMessage(infraUsed, idleUse.infrastructure, cpuSeconds, b1.requests),
      );
      out.push(transactionsPerMessage(txBefore, txAfter, b1.requests));
      out.push(`     messages by status after the load: ${await messageStatuses(platform)}`);
      const ratio = b1.perSecond / http.perSecond;
      out.push(`     ratio ${fmt(ratio, 3)} of bare HTTP (goal >= 0.04) ${verdict(ratio >= 0.04)}`);
      out.push(
        line(`B1 at half rate (${fmt(b1.perSecond / 2, 0)}/s, open loop; ${settled})`, half),
      );
      out.push(
        `     p50 ${fmt(half.p50)} ms (goal <= 15) ${verdict(half.p50 <= 15)}, p99/p50 ${fmt(half.p99 / half.p50)} (goal <= 5) ${verdict(half.p99 / half.p50 <= 5)}`,
      );
      out.push(loopLine(loopBefore, loopAfter));
    }

    if (PARTS.has('b1b')) {
      const batch: Target = {
        url: platform.graphqlUrl,
        headers,
        body: () =>
          JSON.stringify({
            query: SEND_MANY,
            variables: {
              inputs: Array.from({ length: BATCH }, () => ({
                to: '+14155550123',
                body: 'Your code is 123456',
                idempotencyKey: randomUUID(),
              })),
            },
          }),
        ok: (status, text) => status === 200 && text.includes(`"sent":${BATCH}`),
      };
      await closedLoad(batch, 2, BATCH_CONCURRENCY);
      await settle(platform, idleCpuUse);
      const cpuBefore = cpuByProcess(platform);
      const infraBefore = infrastructureCpu();
      const txBefore = await transactionsByComponent(platform);
      const started = Date.now();
      const b1b = await closedLoad(batch, SECONDS, BATCH_CONCURRENCY);
      await settle(platform, idleCpuUse);
      const cpuUsed = cpuDelta(cpuBefore, cpuByProcess(platform));
      const infraUsed = cpuDelta(infraBefore, infrastructureCpu());
      const txAfter = await transactionsByComponent(platform);
      const cpuSeconds = (Date.now() - started) / 1000;
      const perSecond = b1b.perSecond * BATCH;
      out.push(line(`B1b sendMessages x${BATCH} via gateway (calls)`, b1b));
      out.push(cpuPerMessage(cpuUsed, idleCpuUse, cpuSeconds, b1b.requests * BATCH));
      out.push(
        infrastructurePerMessage(
          infraUsed,
          idleUse.infrastructure,
          cpuSeconds,
          b1b.requests * BATCH,
        ),
      );
      out.push(transactionsPerMessage(txBefore, txAfter, b1b.requests * BATCH));
      out.push(
        `     ${fmt(perSecond, 0)} msg/s = ${fmt(perSecond / inserts.perSecond, 3)} of ${inserts.how} (goal >= 0.25) ${verdict(perSecond / inserts.perSecond >= 0.25)}`,
      );
    }

    if (PARTS.has('b4')) {
      const settled = await settle(platform, idleCpuUse);
      const messaging = platform.processes.find((p) => p.name === 'messaging');
      if (!messaging) throw new Error('no messaging process');
      const body = () => JSON.stringify({ query: READ });
      const ok = (status: number, text: string) => status === 200 && text.includes('"nodes"');
      const subgraph: Target = {
        url: `${messaging.url}/graphql`,
        headers: { ...headers, 'x-subgraph-secret': SUBGRAPH_SECRET },
        body,
        ok,
      };
      const proxy = await bareProxy(subgraph.url);
      let result: Awaited<ReturnType<typeof reads>>;
      try {
        result = await reads({
          gateway: { url: platform.graphqlUrl, headers, body, ok },
          subgraph,
          proxy: { ...subgraph, url: proxy.url },
        });
      } finally {
        proxy.stop();
      }
      out.push(
        `  B4 messages(first: 20) x${READS} interleaved (${settled}): gateway p50 ${fmt(result.gateway.p50, 2)} / p99 ${fmt(result.gateway.p99, 2)} ms, ` +
          `subgraph p50 ${fmt(result.subgraph.p50, 2)} / p99 ${fmt(result.subgraph.p99, 2)} ms, errors ${result.errors}`,
      );
      const p50 = result.gateway.p50 / result.subgraph.p50;
      const p99 = result.gateway.p99 / result.subgraph.p99;
      out.push(
        `     ratio p50 ${fmt(p50, 2)}x, p99 ${fmt(p99, 2)}x (goal <= 1.3x) ${verdict(p50 <= 1.3 && p99 <= 1.3)}`,
        `     a bare Node proxy in front of the subgraph (the hop alone): p50 ${fmt(result.proxy.p50, 2)} / p99 ${fmt(result.proxy.p99, 2)} ms, ` +
          `${fmt(result.proxy.p50 / result.subgraph.p50, 2)}x / ${fmt(result.proxy.p99 / result.subgraph.p99, 2)}x`,
      );
    }

    if (PARTS.has('b8')) {
      await settle(platform, idleCpuUse);
      const loaded = await closedLoad(single, FOOTPRINT_SECONDS, Math.min(CONCURRENCY, 16));
      await new Promise((r) => setTimeout(r, 2000));
      const after = footprint(platform);
      out.push(
        `  B8 RSS idle ${fmt(idle.total, 0)} MiB (${idle.each}); after ${FOOTPRINT_SECONDS} s of load (${fmt(loaded.perSecond, 0)} msg/s) ${fmt(after.total, 0)} MiB (${after.each}); goal <= 1024 MiB ${verdict(Math.max(idle.total, after.total) <= 1024)}`,
      );
    }
  } finally {
    await platform.stop();
  }
  if (PARTS.has('b3')) out.push(...(await dispatchLatency()));
  console.log(out.join('\n'));
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
