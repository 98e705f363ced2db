// The image contract without a Docker engine: every component runs exactly as the image and
// the chart would run it — the Dockerfile's ENTRYPOINT + ENV, the rendered Deployment's or
// Job's args and environment (ConfigMap, env, secretKeyRef, $(VAR) expansion) — against the
// local stack, from a directory holding exactly what the runtime stage copies (so a process
// reading a file the image lacks fails here too). As root, each process runs as the image's
// numeric user (10001) in a mount namespace where that directory and the whole tree are
// read-only, so anything written outside /tmp fails.
// What the test changes from the chart's rendering: in-cluster service URLs and ports become
// 127.0.0.1 and free ports, KAFKA_GROUP_ID is per run (the broker is shared), and the topics
// job adds --dry-run (the local broker has no CreateTopics/DescribeConfigs).
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import {
  createTestDatabase,
  freePort,
  Mailbox,
  stackDir,
  stackSetting,
  type TestDatabase,
} from '@switchboard/testing';

const ROOT = resolve(__dirname, '../../..');
const IMAGE_UID = 10001;
const RELEASE = 'sb';
const FULL = `${RELEASE}-switchboard`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { kind: string; metadata: any; spec?: any; data?: Record<string, string> };
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** The runtime stage's ENTRYPOINT and ENV, from the Dockerfile itself. */
function imageContract(): {
  entrypoint: string[];
  env: Record<string, string>;
  user: number;
  /** The runtime stage's `COPY --from=build /src/<path> ./<path>`: what the image holds. */
  files: { from: string; to: string }[];
} {
  const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const instructions = dockerfile.getInstructions();
  // The last stage is the image.
  const runtimeStart = instructions.map((i) => i.getKeyword()).lastIndexOf('FROM');
  const runtime = instructions.slice(runtimeStart);
  const entrypoint = JSON.parse(
    runtime
      .find((i) => i.getKeyword() === 'ENTRYPOINT')!
      .getTextContent()
      .replace(/^ENTRYPOINT\s+/, ''),
  ) as string[];
  const env: Record<string, string> = {};
  for (const i of runtime.filter((x) => x.getKeyword() === 'ENV'))
    for (const a of i.getArguments().map((x) => x.getValue())) {
      const [k, ...v] = a.split('=');
      env[k] = v.join('=');
    }
  const user = Number(
    runtime
      .find((i) => i.getKeyword() === 'USER')!
      .getArguments()[0]
      .getValue()
      .split(':')[0],
  );
  const files = runtime
    .filter((i) => i.getKeyword() === 'COPY')
    .map((i) => i.getArguments().map((a) => a.getValue()))
    .map((args) => ({ from: args[0].replace(/^\/src\//, ''), to: args[1].replace(/^\.\//, '') }));
  return { entrypoint, env, user, files };
}

/** Can this test drop to the image's user on a read-only tree? Only as root with unshare. */
function canSandbox(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-m', 'true']).status === 0;
}

describe('the image entrypoint runs every component as the chart deploys it', () => {
  const image = imageContract();
  const sandbox = canSandbox();
  const logs = join(stackDir(), 'logs');
  const databases: TestDatabase[] = [];
  const children: ChildProcess[] = [];
  const mailbox = new Mailbox();
  const runId = randomBytes(4).toString('hex');
  let objects: K8sObject[] = [];
  let nodeMount = '';
  let appDir = '';
  /** chart port → local port, and the in-cluster URL of each component → its local URL. */
  const ports = new Map<number, number>();
  const urls = new Map<string, string>();
  const secrets: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    mkdirSync(logs, { recursive: true });
    execFileSync(process.execPath, [join(ROOT, 'tools/build.mjs')], { stdio: 'ignore' });
    const helm = execFileSync(process.execPath, [join(ROOT, 'tools/deploy/helm.mjs')], {
      encoding: 'utf8',
    }).trim();
    const generated = JSON.parse(
      readFileSync(join(ROOT, 'charts/switchboard/files/generated.yaml'), 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n'),
    ) as { components: { name: string; port: number }[] };
    const sets: string[] = [
      `postgresql.external.port=${new URL(stackSetting('PG_ADMIN_URL')).port}`,
      `kafka.external.brokers=${stackSetting('KAFKA_BROKERS')}`,
    ];
    const passwords: Record<string, string> = {};
    for (const c of generated.components) {
      const db = await createTestDatabase(c.name.replace(/-/g, '_'));
      databases.push(db);
      sets.push(`postgresql.databases.${c.name}.database=${db.name}`);
      sets.push(
        `postgresql.databases.${c.name}.username=${decodeURIComponent(new URL(db.appUrl).username)}`,
      );
      sets.push(
        `postgresql.databases.${c.name}.ownerUsername=${decodeURIComponent(new URL(db.ownerUrl).username)}`,
      );
      passwords[`${c.name}-password`] = decodeURIComponent(new URL(db.appUrl).password);
      passwords[`${c.name}-owner-password`] = decodeURIComponent(new URL(db.ownerUrl).password);
      const port = await freePort();
      ports.set(c.port, port);
      ports.set(c.port + 5000, await freePort());
      urls.set(`http://${FULL}-${c.name}:${c.port}`, `http://127.0.0.1:${port}`);
    }
    secrets['database-passwords'] = passwords;
    // What billing.existingSecret holds in production (local-stack-values.yaml names it).
    secrets.stripe = {
      STRIPE_SECRET_KEY: `sk_test_${randomBytes(12).toString('hex')}`,
      STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(12).toString('hex')}`,
    };
    // What ghl-sync.existingSecret holds in production (the GHL marketplace app).
    secrets.ghl = {
      GHL_CLIENT_ID: 'ghl-client-test',
      GHL_CLIENT_SECRET: randomBytes(12).toString('hex'),
      GHL_APP_ID: 'ghl-app-test',
      GHL_WEBHOOK_PUBLIC_KEY: generateKeyPairSync('ed25519')
        .publicKey.export({ type: 'spki', format: 'der' })
        .toString('base64'),
      GHL_STATE_SECRET: randomBytes(24).toString('hex'),
    };
    secrets.platform = {
      SUBGRAPH_SHARED_SECRET: randomBytes(24).toString('hex'),
      INTERNAL_API_SECRET: randomBytes(24).toString('hex'),
      SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      DEVICES_SECRET_KEY: randomBytes(32).toString('base64'),
      SECRET_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      DOWNLOAD_SIGNING_SECRET: randomBytes(24).toString('hex'),
      SMTP_URL: await mailbox.start(),
    };
    const r = spawnSync(
      helm,
      [
        'template',
        RELEASE,
        join(ROOT, 'charts/switchboard'),
        '-f',
        join(__dirname, 'local-stack-values.yaml'),
        ...sets.flatMap((s) => ['--set', s]),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
    objects = parseAllDocuments(r.stdout)
      .map((d) => d.toJS() as K8sObject)
      .filter(Boolean);
    // The image's working directory: exactly the files the runtime stage copies (node_modules
    // linked, not copied: the tree's has the dev dependencies too, which nothing here loads).
    appDir = mkdtempSync(join(tmpdir(), 'sb-image-app-'));
    chmodSync(appDir, 0o755);
    for (const { from, to } of image.files) {
      // In the sandbox the tree's node_modules is bind-mounted here (the image's user may not
      // traverse the directories above the tree, e.g. a clone under /root or a 0700 temp dir);
      // without it, a link.
      if (from === 'node_modules' && sandbox) mkdirSync(join(appDir, to), { mode: 0o755 });
      else if (from === 'node_modules') symlinkSync(join(ROOT, 'node_modules'), join(appDir, to));
      else cpSync(join(ROOT, from), join(appDir, to), { recursive: true });
    }
    if (sandbox) {
      // The node binary lives under /root (0700): the image's user reaches it through a mount.
      nodeMount = mkdtempSync(join(tmpdir(), 'sb-image-node-'));
      chmodSync(nodeMount, 0o755);
    }
  });

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
            // The services keep serving 5 s after SIGTERM (readiness grace), then drain.
            setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
          }),
      ),
    );
    for (const db of databases) await db.drop().catch(() => undefined);
    await mailbox.stop();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
  });

  /** The container's environment as the kubelet builds it, with the local substitutions. */
  function containerEnv(
    component: string,
    container: {
      env?: EnvVar[];
      envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
    },
  ) {
    const env: Record<string, string> = { ...image.env, PATH: '/usr/local/bin:/usr/bin:/bin' };
    const local = (value: string) => {
      let out = value;
      for (const [from, to] of urls) out = out.split(from).join(to);
      return out;
    };
    for (const from of container.envFrom ?? []) {
      if (from.secretRef) {
        const secret = secrets[from.secretRef.name];
        if (!secret)
          throw new Error(`the chart refers to secret ${from.secretRef.name}, unknown here`);
        Object.assign(env, secret);
        continue;
      }
      const cm = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name,
      );
      if (!cm) throw new Error(`ConfigMap ${from.configMapRef?.name} is not rendered`);
      for (const [k, v] of Object.entries(cm.data ?? {})) env[k] = local(v);
    }
    for (const e of container.env ?? []) {
      if (e.valueFrom?.secretKeyRef) {
        const { name, key } = e.valueFrom.secretKeyRef;
        const value = secrets[name]?.[key];
        if (value === undefined)
          throw new Error(
            `the chart refers to secret ${name} key ${key}, which the install docs do not ask for`,
          );
        env[e.name] = value;
      } else {
        // Kubernetes' $(VAR) expansion from the variables defined before.
        env[e.name] = local(
          (e.value ?? '').replace(/\$\(([A-Za-z0-9_]+)\)/g, (m, v: string) =>
            v in env ? encodeURIComponent(env[v]) : m,
          ),
        );
      }
    }
    for (const key of ['PORT', 'METRICS_PORT'])
      if (env[key]) env[key] = String(ports.get(Number(env[key])) ?? env[key]);
    env.KAFKA_GROUP_ID = `${env.KAFKA_GROUP_ID ?? component}-image-${runId}`;
    return env;
  }

  /** The image's command line for the chart's args: ENTRYPOINT (node …) + args. */
  function imageCommand(args: string[]): string[] {
    const [command, ...entryArgs] = image.entrypoint;
    expect(command).toBe('node');
    return [...entryArgs, ...args];
  }

  /** Starts `node <nodeArgs>` as the image's user on the read-only tree (as root), else plainly. */
  function start(name: string, nodeArgs: string[], env: Record<string, string>): ChildProcess {
    const log = createWriteStream(join(logs, `image-${name}.log`), { flags: 'a' });
    let child: ChildProcess;
    if (sandbox) {
      const script = [
        'set -e',
        `mount --bind -o ro "$SB_ROOT" "$SB_ROOT"`,
        `mount --bind -o ro "$SB_APP" "$SB_APP"`,
        `mount --bind -o ro "$SB_ROOT/node_modules" "$SB_APP/node_modules"`,
        `mount --bind -o ro "$SB_NODE_DIR" "$SB_NODE_MOUNT"`,
        // The old working directory would still be the writable mount: enter the read-only one.
        `cd "$SB_APP"`,
        `exec setpriv --reuid ${image.user} --regid ${image.user} --clear-groups "$SB_NODE_MOUNT/bin/node" "$@"`,
      ].join('\n');
      child = spawn(
        'unshare',
        ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', ...nodeArgs],
        {
          cwd: appDir,
          env: {
            ...env,
            SB_ROOT: ROOT,
            SB_APP: appDir,
            SB_NODE_DIR: dirname(dirname(process.execPath)),
            SB_NODE_MOUNT: nodeMount,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    } else {
      child = spawn(process.execPath, nodeArgs, {
        cwd: appDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.push(child);
    return child;
  }

  async function runToEnd(
    name: string,
    nodeArgs: string[],
    env: Record<string, string>,
  ): Promise<string> {
    const child = start(name, nodeArgs, env);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`${name} exited with ${code}:\n${output}`);
    return output;
  }

  async function waitFor(url: string, child: ChildProcess, what: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`${what} exited with ${child.exitCode}; see ${logs}/image-*.log`);
      try {
        const res = await fetch(url);
        if (res.ok) return;
        last = `${res.status} ${await res.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what}: ${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
  }

  /** Starts a rendered Deployment's container and waits for its probes and metrics. */
  async function startDeployment(d: K8sObject): Promise<void> {
    const [container] = d.spec.template.spec.containers;
    const env = containerEnv(container.args[0], container);
    const child = start(d.metadata.name, imageCommand(container.args), env);
    const base = `http://127.0.0.1:${env.PORT}`;
    // As long as the kubelet would wait before restarting it: the startup probe's budget.
    const { periodSeconds, failureThreshold } = container.startupProbe;
    const budget = periodSeconds * failureThreshold * 1000;
    await waitFor(`${base}${container.startupProbe.httpGet.path}`, child, d.metadata.name, budget);
    await waitFor(
      `${base}${container.readinessProbe.httpGet.path}`,
      child,
      d.metadata.name,
      budget,
    );
    await waitFor(
      `http://127.0.0.1:${env.METRICS_PORT}/metrics`,
      child,
      `${d.metadata.name} metrics`,
    );
  }

  it('runs as the image would: as its numeric user on a read-only tree (when the test runs as root)', async () => {
    expect(image.user).toBe(IMAGE_UID);
    if (process.getuid?.() !== 0) return;
    // As root the sandbox must work: no silent fallback to running as root.
    expect(sandbox).toBe(true);
    const probe = `const fs = require('node:fs');
      let tree = 'writable';
      try { fs.writeFileSync('dist/.image-write-probe', 'x'); } catch (e) { tree = e.code; }
      fs.writeFileSync('/tmp/sb-image-probe-' + process.pid, 'x');
      fs.unlinkSync('/tmp/sb-image-probe-' + process.pid);
      console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), tree }));`;
    const output = await runToEnd('probe', ['-e', probe], { ...image.env });
    expect(JSON.parse(output)).toEqual({ uid: IMAGE_UID, gid: IMAGE_UID, tree: 'EROFS' });
  });

  it('migrates every database with its hook job, then starts every component to ready', async () => {
    const jobs = objects.filter((o) => o.kind === 'Job' && o.metadata.name.includes('-migrate-'));
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    // Hook jobs first (Helm waits for each), all at the same weight.
    await Promise.all(
      jobs.map((job) => {
        const [container] = job.spec.template.spec.containers;
        return runToEnd(
          job.metadata.name,
          imageCommand(container.args),
          containerEnv(container.args[1], container),
        );
      }),
    );
    // Then the Deployments side by side, as Kubernetes starts them; the gateway, which
    // composes the others, once they are ready.
    const isGateway = (d: K8sObject) => d.metadata.name === `${FULL}-gateway`;
    await Promise.all(deployments.filter((d) => !isGateway(d)).map(startDeployment));
    await Promise.all(deployments.filter(isGateway).map(startDeployment));
    for (const child of children) if (child.exitCode !== null) expect(child.exitCode).toBe(0);
  }, 400_000);

  it('answers GraphQL through the gateway with every subgraph behind it', async () => {
    const gateway = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === `${FULL}-gateway`,
    );
    expect(gateway).toBeDefined();
    const res = await fetch(`http://127.0.0.1:${ports.get(4000)}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('runs the topics job with its chart arguments (planning only: the local broker cannot create topics)', async () => {
    const job = objects.find((o) => o.kind === 'Job' && o.metadata.name.endsWith('-topics'));
    expect(job).toBeDefined();
    const [container] = job!.spec.template.spec.containers;
    const output = await runToEnd(
      'topics',
      imageCommand([...container.args, '--dry-run']),
      containerEnv('topics', container),
    );
    expect(output).toMatch(/^messaging\.message\.v1 partitions=\d+ rf=1 cleanup\.policy=delete/m);
  });

  it('refuses an unknown component with a coded error', async () => {
    await expect(
      runToEnd('unknown', imageCommand(['billing-typo']), { ...image.env }),
    ).rejects.toThrow(/UNKNOWN_COMPONENT/);
  });
});
