import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from './free-port';
import { join, resolve } from 'node:path';
import { Mailbox } from './mailbox';
import { startPrivateBroker, type PrivateBroker } from './private-broker';
import { createTestDatabase, type TestDatabase } from './test-database';
import { stackDir, stackSetting } from './stack-env';

const ROOT = resolve(__dirname, '../../..');

export interface PlatformProcess {
  name: string;
  url: string;
  port: number;
  /** The process id (bench/footprint.ts reads its RSS). */
  pid?: number;
  logFile: string;
  /** Where Prometheus scrapes `GET /metrics` (METRICS_PORT; the public port serves none). */
  metricsUrl: string;
  /** The service's own database (application and owner role), for tests that inspect it. */
  databaseUrl?: string;
  databaseOwnerUrl?: string;
}

export interface Platform {
  /** The gateway's GraphQL endpoint, when the gateway runs. */
  graphqlUrl?: string;
  /** Where every mail the platform sends is spooled (read it with MailSpool). */
  mailSpool: string;
  /** The bootstrap servers the platform uses (the stack's, or its private broker's). */
  brokers: string[];
  processes: PlatformProcess[];
  /**
   * Processes mode only (fault tests): SIGKILLs one component (a service or `gateway`) and starts
   * it again with the same environment, resolving once it is healthy; `broker` (a private broker
   * only) drops every connection and refuses new ones for `downMs`, then accepts them again.
   */
  restart(name: string, options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** The processes of the platform (tools/services.txt): name, project root. */
export function platformServices(): { name: string; root: string }[] {
  return readFileSync(join(ROOT, 'tools/services.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, root] = line.split(/\s+/);
      return { name, root };
    });
}

async function waitHealthy(
  url: string,
  child: ChildProcess,
  name: string,
  logFile: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}; see ${logFile}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become healthy within ${timeoutMs} ms; see ${logFile}`);
}

function run(
  script: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
  nodeOptions: string[] = [],
): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeOptions, script], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function runToEnd(script: string, env: NodeJS.ProcessEnv, logFile: string, what: string) {
  const child = run(script, env, logFile);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`${what} failed (exit ${code}); see ${logFile}`);
}

/**
 * Starts the whole platform from the built dist/ for end-to-end tests and benchmarks: every
 * service that exists, each on a fresh database of its own (migrated with the owner role) and
 * a free port, then the gateway over the committed supergraph pointed at those ports. Uses the
 * local stack's PostgreSQL and broker. `stop()` ends the processes and drops the databases.
 */
export async function startPlatform(
  options: {
    env?: Record<string, string>;
    label?: string;
    /**
     * `private`: a broker of the platform's own (empty, the catalog's topics), stopped with it, so
     * its new consumer groups start on an empty history instead of working through everything
     * the long-lived stack broker retained (the e2e tier); default: the stack's.
     */
    broker?: 'stack' | 'private';
    /**
     * `single-process`: every component in one Node process, each in a worker thread
     * (tools/platform/single-process.cjs, the start command's default); default: a process each.
     */
    mode?: 'processes' | 'single-process';
    /** Extra Node options of the platform's processes (e.g. memory flags). */
    nodeOptions?: string[];
    /** The gateway's port (default: a free one), for settings that must name it in advance. */
    gatewayPort?: number;
  } = {},
): Promise<Platform> {
  const label = options.label ?? 'e2e';
  const runId = Date.now().toString(36);
  const logs = join(stackDir(), 'logs');
  const processes: PlatformProcess[] = [];
  const children: ChildProcess[] = [];
  const databases: TestDatabase[] = [];
  const internalSecret = 'e2e-internal-secret-0123456789abcdef';
  const accountsPort = await freePort();
  // Mail leaves over real SMTP into a local server that spools it for the tests.
  const mailSpool = join(stackDir(), `${label}-mail-${Date.now()}`);
  const mailbox = new Mailbox(mailSpool);
  const smtpUrl = await mailbox.start();
  const broker: PrivateBroker | undefined =
    options.broker === 'private' ? await startPrivateBroker() : undefined;
  const brokers = broker?.brokers ?? stackSetting('KAFKA_BROKERS').split(',');
  const shared: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_FAST_CONSUMERS: 'true',
    AUTH_ISSUER: 'urn:switchboard:accounts',
    AUTH_AUDIENCE: 'switchboard-api',
    AUTH_JWKS_URL: `http://127.0.0.1:${accountsPort}/.well-known/jwks.json`,
    ACCOUNTS_TOKEN_EXCHANGE_URL: `http://127.0.0.1:${accountsPort}/internal/token-exchange`,
    INTERNAL_API_SECRET: internalSecret,
    // The gateway sends it; the subgraphs' /graphql refuse requests without it.
    SUBGRAPH_SHARED_SECRET: 'e2e-subgraph-secret-0123456789abcdef',
    SMTP_URL: smtpUrl,
    APP_BASE_URL: 'https://app.switchboard.test',
    // Mail requests of earlier runs on the shared broker are not sent again (a private broker
    // has none: a mail delayed on a loaded machine is still sent).
    MAIL_MAX_AGE_SECONDS: broker ? '3600' : '60',
    // Likewise STOP/HELP keywords of earlier runs: recorded, but no reply is sent for them.
    KEYWORD_REPLY_VALIDITY_SECONDS: '120',
    // Likewise messages of earlier runs: billing meters only this run's.
    METERING_START_AT: new Date().toISOString(),
    // A short window, so tests can see a revoked API token stop working.
    API_TOKEN_CACHE_SECONDS: '2',
    // Tests sign up many users, all from 127.0.0.1; production insists on cost >= 12 and
    // limits sign-ups per IP.
    BCRYPT_COST: '4',
    SIGNUP_MAX_PER_IP: '0',
    APOLLO_TELEMETRY_DISABLED: 'true',
    // Devices: a short pacing window and quick offline detection, so tests see them in seconds.
    PACING_WINDOW_MS: '3000',
    DEVICE_OFFLINE_AFTER_SECONDS: '2',
    SSE_KEEPALIVE_SECONDS: '0.5',
    DEVICE_RELEASE_GRACE_SECONDS: '1',
    SWEEP_INTERVAL_MS: '300',
    // Customer webhooks: the tests' receivers listen on http://127.0.0.1.
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_ADDRESSES: '127.0.0.1',
    WEBHOOK_POLL_INTERVAL_MS: '200',
    ...options.env,
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    for (const db of databases) await db.drop().catch(() => undefined);
    await mailbox.stop();
    await broker?.stop();
  };
  const single = options.mode === 'single-process';
  // Single-process mode: each component's environment, for the runner to start them all.
  const pending: { name: string; url: string; env: NodeJS.ProcessEnv }[] = [];
  // Processes mode: how to start each component again (restart).
  const launched = new Map<
    string,
    { main: string; env: NodeJS.ProcessEnv; logFile: string; child: ChildProcess }
  >();
  /** Starts a component (its own process, healthy before the next) or queues it for the runner. */
  const launch = async (name: string, main: string, env: NodeJS.ProcessEnv, logFile: string) => {
    const url = `http://127.0.0.1:${env.PORT}`;
    if (single) {
      pending.push({ name, url, env });
      return { url, pid: undefined };
    }
    const child = run(main, env, logFile, options.nodeOptions);
    children.push(child);
    launched.set(name, { main, env, logFile, child });
    await waitHealthy(url, child, name, logFile);
    return { url, pid: child.pid };
  };
  const restart = async (name: string, restartOptions: { downMs?: number } = {}) => {
    if (name === 'broker') {
      if (!broker) throw new Error('restart(broker) needs startPlatform({ broker: "private" })');
      await broker.down();
      await new Promise((r) => setTimeout(r, restartOptions.downMs ?? 2000));
      await broker.up();
      return;
    }
    const entry = launched.get(name);
    if (!entry)
      throw new Error(`restart(${name}): not a process of this platform (processes mode)`);
    if (entry.child.exitCode === null && entry.child.signalCode === null) {
      const exited = new Promise((r) => entry.child.once('exit', r));
      entry.child.kill('SIGKILL');
      await exited;
    }
    // stop() waits for the children still running: not for this one.
    children.splice(children.indexOf(entry.child), 1);
    if (restartOptions.downMs) await new Promise((r) => setTimeout(r, restartOptions.downMs));
    await launch(name, entry.main, entry.env, entry.logFile);
    const started = processes.find((p) => p.name === name);
    if (started) started.pid = launched.get(name)?.child.pid;
  };
  try {
    const subgraphUrls: Record<string, string> = {};
    for (const service of platformServices()) {
      if (service.name === 'gateway') continue;
      const main = join(ROOT, 'dist', service.root, 'src/main.js');
      if (!existsSync(main)) continue;
      const db = await createTestDatabase(service.name.replace(/-/g, '_'));
      databases.push(db);
      const port = service.name === 'accounts' ? accountsPort : await freePort();
      const metricsPort = await freePort();
      const logFile = join(logs, `${label}-${service.name}.log`);
      const env = {
        ...shared,
        DATABASE_URL: db.appUrl,
        DATABASE_OWNER_URL: db.ownerUrl,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        // A consumer group of this run's own: the shared broker keeps other runs' offsets.
        KAFKA_GROUP_ID: `${service.name}-${label}-${runId}`,
      };
      const migrate = join(ROOT, 'dist', service.root, 'src/migrate.js');
      if (existsSync(migrate))
        await runToEnd(migrate, env, logFile, `migrations of ${service.name}`);
      const { url, pid } = await launch(service.name, main, env, logFile);
      processes.push({
        name: service.name,
        url,
        port,
        pid,
        metricsUrl: `http://127.0.0.1:${metricsPort}`,
        logFile,
        databaseUrl: db.appUrl,
        databaseOwnerUrl: db.ownerUrl,
      });
      subgraphUrls[`SUBGRAPH_${service.name.toUpperCase().replace(/-/g, '_')}_URL`] =
        `${url}/graphql`;
    }
    let graphqlUrl: string | undefined;
    const gatewayMain = join(ROOT, 'dist/gateway/src/main.js');
    if (existsSync(gatewayMain) && existsSync(join(ROOT, 'gateway/supergraph.graphql'))) {
      const port = options.gatewayPort ?? (await freePort());
      const metricsPort = await freePort();
      const logFile = join(logs, `${label}-gateway.log`);
      // Its rate limits are counted in a database of its own (GATEWAY_DATABASE_URL).
      const db = await createTestDatabase('gateway');
      databases.push(db);
      const env = {
        ...shared,
        ...subgraphUrls,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        SUPERGRAPH_FILE: join(ROOT, 'gateway/supergraph.graphql'),
        GATEWAY_DATABASE_URL: db.appUrl,
        GATEWAY_DATABASE_OWNER_URL: db.ownerUrl,
        // Every e2e caller is 127.0.0.1: limits that real traffic would meet are not the test.
        RATE_LIMIT_PER_IP: '100000',
        RATE_LIMIT_PER_USER: '100000',
        RATE_LIMIT_PER_API_TOKEN: '100000',
        ...options.env,
      };
      const migrate = join(ROOT, 'dist/gateway/src/migrate.js');
      if (existsSync(migrate)) await runToEnd(migrate, env, logFile, 'migrations of the gateway');
      const { url, pid } = await launch('gateway', gatewayMain, env, logFile);
      processes.push({
        name: 'gateway',
        url,
        port,
        pid,
        metricsUrl: `http://127.0.0.1:${metricsPort}`,
        logFile,
        databaseUrl: db.appUrl,
        databaseOwnerUrl: db.ownerUrl,
      });
      graphqlUrl = `${url}/graphql`;
    }
    if (single) {
      const logFile = join(logs, `${label}-platform.log`);
      for (const entry of processes) entry.logFile = logFile;
      const componentsFile = join(stackDir(), `${label}-components-${runId}.json`);
      writeFileSync(
        componentsFile,
        JSON.stringify(Object.fromEntries(pending.map((c) => [c.name, c.env]))),
      );
      const child = run(
        join(ROOT, 'tools/platform/single-process.cjs'),
        { ...shared, SWITCHBOARD_COMPONENTS_FILE: componentsFile },
        logFile,
        options.nodeOptions,
      );
      children.push(child);
      for (const component of pending) {
        await waitHealthy(component.url, child, component.name, logFile, 120_000);
      }
      for (const entry of processes) entry.pid = child.pid;
    }
    return { graphqlUrl, mailSpool, brokers, processes, restart, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
