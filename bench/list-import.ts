// Contact list import: a CSV of N rows streamed to messaging's upload endpoint (the path the
// gateway forwards /uploads/* to), against `psql \copy` of the same file into a plain table in
// the same database, in the same run; then the peak RSS of the messaging process while it
// imports a file of M rows (flat memory: the file is streamed and written in batches).
//
//   node tools/build.mjs && node bench/list-import.ts [--rows 100000] [--rss-rows 1000000]
//   BENCH_MAX_OLD_SPACE_MB=128 node bench/list-import.ts --rows 20000   (the 1M import under a capped heap)
//   BENCH_CPU_PROF=<dir> node bench/list-import.ts --rss-rows 0          (messaging writes a V8 CPU profile
//                                                                         there at exit; node bench/profile-top.cjs <dir>)
//
// Needs the local stack (tools/stack/stack.sh up) and psql; runs messaging as its own process
// from dist/ against a fresh database and a private broker (like the integration tests); not
// part of the test suite. Node runs this file directly (type stripping), so it only uses
// erasable TypeScript and loads the compiled code from dist/.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { benchJwks, rssMiB } from './bench-kit.ts';

const SUBGRAPH_SECRET = 'bench-subgraph-secret-0123456789';
const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
const dist = (path: string) => require(join(root, 'dist', path));
const testing = dist('libs/testing/src/index.js');
const freePort: () => Promise<number> = testing.freePort;

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'rss-rows': { type: 'string', default: '1000000' },
  },
});
const ROWS = Number(values.rows);
const RSS_ROWS = Number(values['rss-rows']);

/** A CSV of `rows` distinct US numbers with a name and two attributes. */
async function writeCsv(file: string, rows: number, offset: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('phone,name,city,tier\n');
  for (let i = 0; i < rows; i++) {
    // 415 and 628 (San Francisco) exchanges 200-999: valid numbers by libphonenumber's metadata.
    const n = offset + i;
    const area = n % 2 === 0 ? '415' : '628';
    const line = `+1${area}${String(2_000_000 + Math.floor(n / 2)).padStart(7, '0')},Person ${n},City ${n % 100},${n % 3 === 0 ? 'gold' : 'silver'}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  process.env.SWITCHBOARD_STACK_DIR ??= join(root, '.stack');
  testing.loadStackEnv();
  const broker = await testing.startPrivateBroker();
  const auth = await benchJwks(require);
  const db = await testing.createTestDatabase('messaging');
  const dir = mkdtempSync(join(tmpdir(), 'list-import-'));
  let child: ChildProcess | undefined;
  try {
    process.env.DATABASE_URL = db.appUrl;
    await dist('services/messaging/src/database.js').migrate(db.ownerUrl, db.appUrl);
    const port = await freePort();
    // BENCH_MAX_OLD_SPACE_MB caps messaging's heap: the import of --rss-rows must still finish.
    const heapCap = process.env.BENCH_MAX_OLD_SPACE_MB
      ? [`--max-old-space-size=${process.env.BENCH_MAX_OLD_SPACE_MB}`]
      : [];
    const profile = process.env.BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
      : [];
    child = spawn(
      process.execPath,
      [...heapCap, ...profile, join(root, 'dist/services/messaging/src/main.js')],
      {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          PORT: String(port),
          METRICS_PORT: String(await freePort()),
          DATABASE_URL: db.appUrl,
          KAFKA_BROKERS: broker.brokers.join(','),
          KAFKA_FAST_CONSUMERS: 'true',
          AUTH_JWKS_URL: auth.url,
          AUTH_ISSUER: 'bench',
          AUTH_AUDIENCE: 'bench',
          SUBGRAPH_SHARED_SECRET: SUBGRAPH_SECRET,
          LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
          OTEL_SDK_DISABLED: 'true',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 150 || child.exitCode !== null) throw new Error('messaging did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const orgId = randomUUID();
    const token = await auth.token(orgId);
    const graphql = async (query: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'apollo-require-preflight': 'true',
          'x-subgraph-secret': SUBGRAPH_SECRET,
          authorization: `Bearer ${token}`,
        },
        body: JSON.stringify({ query }),
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bench reads a few known fields
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
      if (!body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    /** One import of `file`: seconds, peak RSS of messaging while it ran, the import's counters. */
    const importFile = async (file: string) => {
      const ticket = (
        await graphql(`
          mutation {
            createContactImport {
              import {
                id
              }
              uploadUrl
            }
          }
        `)
      ).createContactImport;
      const link = new URL(ticket.uploadUrl);
      let peak = rssMiB(child!.pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(child!.pid))), 50);
      const started = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'PUT',
            path: `${link.pathname}${link.search}`,
            headers: { 'content-type': 'text/csv', 'content-length': statSync(file).size },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        createReadStream(file).pipe(req);
      });
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const counters = (
        await graphql(
          `{ contactImport(id: "${ticket.import.id}") { status rowsRead rowsAccepted rowsRejected } }`,
        )
      ).contactImport;
      if (status !== 200 || counters.status !== 'COMPLETED') {
        throw new Error(`import failed: HTTP ${status}, ${JSON.stringify(counters)}`);
      }
      return { seconds, peak, counters };
    };

    // 1. N rows: the import vs psql \copy of the same file into a plain table.
    const small = join(dir, 'small.csv');
    await writeCsv(small, ROWS, 0);
    const idle = rssMiB(child.pid);
    const ours = await importFile(small);
    execFileSync('psql', [
      db.ownerUrl,
      '-q',
      '-c',
      'CREATE TABLE bench_plain (phone text, name text, city text, tier text)',
    ]);
    const copyStarted = performance.now();
    execFileSync('psql', [
      db.ownerUrl,
      '-q',
      '-c',
      `\\copy bench_plain FROM '${small}' WITH (FORMAT csv, HEADER true)`,
    ]);
    const copySeconds = (performance.now() - copyStarted) / 1000;
    console.log(`list import, ${ROWS} rows (new contacts):`);
    console.log(
      `  messaging import: ${ours.seconds.toFixed(2)} s (${Math.round(ROWS / ours.seconds)} rows/s), accepted ${ours.counters.rowsAccepted}, rejected ${ours.counters.rowsRejected}`,
    );
    console.log(
      `  psql \\copy:       ${copySeconds.toFixed(2)} s (${Math.round(ROWS / copySeconds)} rows/s)`,
    );
    console.log(`  ratio import / copy: ${(ours.seconds / copySeconds).toFixed(2)}x (goal <= 3x)`);
    const again = await importFile(small);
    console.log(
      `  re-upload of the same file (updates): ${again.seconds.toFixed(2)} s, ${(again.seconds / copySeconds).toFixed(2)}x copy`,
    );
    rmSync(small);

    // 2. M rows: peak RSS of the messaging process while it imports.
    if (RSS_ROWS > 0) {
      const big = join(dir, 'big.csv');
      await writeCsv(big, RSS_ROWS, ROWS);
      const before = rssMiB(child.pid);
      const result = await importFile(big);
      console.log(
        `list import, ${RSS_ROWS} rows: ${result.seconds.toFixed(1)} s (${Math.round(RSS_ROWS / result.seconds)} rows/s), accepted ${result.counters.rowsAccepted}`,
      );
      console.log(
        `  messaging RSS: idle at start ${idle.toFixed(0)} MiB, before ${before.toFixed(0)} MiB, peak during ${result.peak.toFixed(0)} MiB (the ${ROWS}-row import peaked at ${ours.peak.toFixed(0)} MiB)`,
      );
      rmSync(big);
    }
  } finally {
    child?.kill();
    if (child && child.exitCode === null) await once(child, 'exit');
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
    await broker.stop();
    auth.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
