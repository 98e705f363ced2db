// What the benchmarks share: closed- and open-loop HTTP load, the bare-HTTP and pgbench
// baselines, percentiles and process RSS. Not part of the test suite.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export const PGBENCH = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  body: () => string;
  ok: (status: number, text: string) => boolean;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** One POST on a keep-alive agent: its latency in ms, or undefined when it failed. */
export function post(agent: Agent, target: Target): Promise<number | undefined> {
  const url = new URL(target.url);
  const payload = target.body();
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
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...target.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ok = target.ok(res.statusCode ?? 0, Buffer.concat(chunks).toString());
          done(ok ? performance.now() - started : undefined);
        });
      },
    );
    req.on('error', () => done(undefined));
    req.end(payload);
  });
}

function summary(latencies: number[], errors: number, elapsedSeconds: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** A closed loop: `concurrency` clients, each sending its next request when the last answered. */
export async function closedLoad(
  target: Target,
  seconds: number,
  concurrency: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const ms = await post(agent, target);
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }
    }),
  );
  agent.destroy();
  return summary(latencies, errors, (Date.now() - started) / 1000);
}

/** An open loop: `rate` requests a second whatever the answers take (latency under a load). */
export async function pacedLoad(
  target: Target,
  seconds: number,
  rate: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const total = Math.max(1, Math.round(seconds * rate));
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(agent, target).then((ms) => {
        if (ms === undefined) errors++;
        else latencies.push(ms);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return summary(latencies, errors, (performance.now() - started) / 1000);
}

/** The ceiling of HTTP on this machine: a bare Node server answering every POST. */
export async function bareHttp(seconds: number, concurrency: number): Promise<LoadResult> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"ok":true}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const target: Target = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    headers: {},
    body: () => JSON.stringify({ query: 'mutation { ok }' }),
    ok: (s) => s === 200,
  };
  await closedLoad(target, 1, concurrency);
  const result = await closedLoad(target, seconds, concurrency);
  server.closeAllConnections();
  server.close();
  return result;
}

/**
 * The ceiling of one durable write: single-row INSERT transactions/s by pgbench on `ownerUrl`,
 * or, without pgbench, by `concurrency` pg clients in a loop (said in `how`).
 */
export async function insertBaseline(
  ownerUrl: string,
  seconds: number,
  concurrency: number,
): Promise<{ perSecond: number; how: string }> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  await client.query(
    'CREATE TABLE bench_rows (id bigserial PRIMARY KEY, v integer NOT NULL, at timestamptz NOT NULL DEFAULT now())',
  );
  await client.end();
  const url = new URL(ownerUrl);
  if (existsSync(PGBENCH)) {
    const script = join(tmpdir(), `bench-insert-${randomUUID()}.sql`);
    writeFileSync(script, '\\set r random(1, 1000000)\nINSERT INTO bench_rows (v) VALUES (:r);\n');
    const output = execFileSync(
      PGBENCH,
      [
        ...['-n', '-M', 'prepared', '-c', String(concurrency), '-j', '2'],
        ...['-T', String(seconds), '-f', script, '-h', url.hostname, '-p', url.port],
        ...['-U', decodeURIComponent(url.username), url.pathname.slice(1)],
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) }, encoding: 'utf8' },
    );
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    if (!tps) throw new Error(`could not read pgbench's output:\n${output}`);
    return { perSecond: Number(tps[1]), how: 'pgbench single-row INSERT' };
  }
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new Client({ connectionString: ownerUrl });
      await c.connect();
      return c;
    }),
  );
  let count = 0;
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < until) {
        await c.query({
          name: 'bench-insert',
          text: 'INSERT INTO bench_rows (v) VALUES ($1)',
          values: [1],
        });
        count++;
      }
      await c.end();
    }),
  );
  return { perSecond: count / ((Date.now() - started) / 1000), how: 'pg single-row INSERT loop' };
}

/** Resident set size of a process in MiB (Linux /proc), 0 when it is gone. */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
