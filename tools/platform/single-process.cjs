// The single-process mode of the platform, for small installs (`tools/start.sh --single-process`):
// every service of tools/services.txt and the gateway run in this one Node process, each in a
// worker thread of its own (its own V8 isolate, module registry and globals — NestJS's GraphQL
// type registry is per process, so subgraphs cannot share one). Each keeps its own port,
// database, consumer groups and outbox: they still talk only over Kafka. What they share is
// the process: the runtime, libuv, OpenSSL, the binary's pages, one set of thread pools.
// Needs the compiled tree (dist/, tools/build.mjs) and the migrations applied (start.sh does
// both). Each component sees the environment with its own PORT, DATABASE_URL and
// DATABASE_OWNER_URL (<NAME>_DATABASE_URL and <NAME>_DATABASE_OWNER_URL of the local stack).
// SIGTERM/SIGINT stop the components in reverse order (the gateway first), each gracefully.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');

const root = resolve(__dirname, '../..');
const dist = join(root, 'dist');

// SWITCHBOARD_COMPONENTS_FILE (the e2e/bench platform starter): a JSON object of each
// component's whole environment by name; only those components start, in services.txt order.
const given = process.env.SWITCHBOARD_COMPONENTS_FILE
  ? JSON.parse(readFileSync(process.env.SWITCHBOARD_COMPONENTS_FILE, 'utf8'))
  : undefined;

/** tools/services.txt: name, project root, port (only what is built, and given if a file says). */
function components() {
  return readFileSync(join(root, 'tools/services.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, projectRoot, port] = line.split(/\s+/);
      return { name, main: join(dist, projectRoot, 'src/main.js'), port };
    })
    .filter((c) => existsSync(c.main) && (!given || given[c.name]));
}

/** The component's environment: the process's, with its own port and database. */
function environmentOf(component) {
  if (given) return given[component.name];
  const db = component.name.toUpperCase().replace(/-/g, '_');
  const env = { ...process.env, PORT: process.env[`${db}_PORT`] ?? component.port };
  if (process.env[`${db}_DATABASE_URL`]) env.DATABASE_URL = process.env[`${db}_DATABASE_URL`];
  if (process.env[`${db}_DATABASE_OWNER_URL`]) {
    env.DATABASE_OWNER_URL = process.env[`${db}_DATABASE_OWNER_URL`];
  }
  return env;
}

const log = (fields, msg) =>
  process.stdout.write(
    `${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'switchboard', ...fields, msg })}\n`,
  );

/** In a worker: start the component its main registers, stop it when asked. */
async function runComponent({ name, main }) {
  const { installSingleProcessHost } = require(join(dist, 'libs/service-kit/src/index.js'));
  const host = installSingleProcessHost();
  require(main); // registers itself with the host instead of starting
  const component = host.take(name);
  if (!component) throw new Error(`${main} did not register with the host`);
  const started = await component.start(process.env, { shutdownHooks: false });
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    started.close().then(
      () => parentPort.postMessage({ stopped: true }),
      (error) => parentPort.postMessage({ stopped: true, error: String(error) }),
    );
  });
  parentPort.postMessage({ started: true, port: started.port });
}

/** Starts one worker and resolves when its component listens. */
function startWorker(component) {
  const worker = new Worker(join(__dirname, 'single-process.cjs'), {
    workerData: { name: component.name, main: component.main },
    env: environmentOf(component),
  });
  return new Promise((resolveStart, rejectStart) => {
    worker.once('error', rejectStart);
    worker.once('exit', (code) => rejectStart(new Error(`${component.name} exited (${code})`)));
    worker.on('message', (message) => {
      if (message.started) resolveStart({ name: component.name, port: message.port, worker });
    });
  });
}

function stopWorker({ name, worker }) {
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => void worker.terminate().then(resolveStop), 30_000);
    worker.on('message', (message) => {
      if (!message.stopped) return;
      if (message.error)
        log({ level: 'error', component: name, error: message.error }, 'stop failed');
      clearTimeout(timer);
      void worker.terminate().then(resolveStop);
    });
    worker.postMessage('stop');
  });
}

async function main() {
  const running = [];
  let stopping;
  const stop = (code) =>
    (stopping ??= (async () => {
      for (const component of [...running].reverse()) await stopWorker(component);
      process.exit(code);
    })());
  process.once('SIGTERM', () => void stop(0));
  process.once('SIGINT', () => void stop(0));
  try {
    for (const component of components()) {
      const started = await startWorker(component);
      running.push(started);
      // A component that dies later takes the platform down, as start.sh does with processes.
      started.worker.once('exit', (code) => {
        if (!stopping) {
          log({ level: 'error', component: component.name, code }, 'component exited');
          void stop(1);
        }
      });
      log({ component: component.name, port: started.port }, 'component started');
    }
    log({ components: running.map((c) => c.name) }, 'all components started');
  } catch (error) {
    log({ level: 'error', error: String(error?.stack ?? error) }, 'start failed');
    await stop(1);
  }
}

if (isMainThread) {
  void main();
} else {
  runComponent(workerData).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
