// Validates Kubernetes manifests (multi-document YAML on stdin) and prints a JSON report:
// built-in kinds against the Kubernetes schemas of `kubernetes-models`, ServiceMonitors against
// `@kubernetes-models/prometheus-operator`, operator custom resources against the CRDs in
// CRD_DIR (strictly: a field the CRD does not declare is an error, as with
// `kubectl apply --validate=strict`). An ES module script because both model packages are
// ES modules only; the chart's tests run it as a child process.
//   helm template … | CRD_DIR=../shared/vendor-specs/k8s-crds node tools/deploy/validate-manifests.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';

const crdDir = process.env.CRD_DIR;
if (!crdDir || !statSync(crdDir, { throwIfNoEntry: false })?.isDirectory()) {
  console.error(
    `CRD_DIR must name the directory of the operators' CRDs (got ${crdDir ?? 'nothing'})`,
  );
  process.exit(2);
}

function* yamlFiles(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* yamlFiles(full);
    else if (/\.ya?ml$/.test(name)) yield full;
  }
}

/** Unknown fields are errors unless the schema keeps them (x-kubernetes-preserve-unknown-fields). */
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strict(s)]))
        : strict(v);
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  )
    out.additionalProperties = false;
  // metadata is validated by the API server's ObjectMeta, not by the CRD.
  if (out.properties?.metadata && out.properties?.apiVersion)
    out.properties.metadata = { type: 'object' };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crds = new Map();
for (const file of yamlFiles(crdDir)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      crds.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
        file: file.slice(crdDir.length + 1),
        validate: ajv.compile(strict(version.schema.openAPIV3Schema)),
      });
    }
  }
}

async function builtInModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const modules =
    group === 'monitoring.coreos.com'
      ? [`@kubernetes-models/prometheus-operator/${apiVersion}`]
      : [`kubernetes-models/${group ? `${group}/` : ''}${version}`];
  for (const m of modules) {
    try {
      const mod = await import(m);
      if (mod[kind]) return mod[kind];
    } catch {
      /* no such group/version */
    }
  }
  return undefined;
}

const input = readFileSync(0, 'utf8');
const results = [];
for (const doc of parseAllDocuments(input)) {
  const object = doc.toJS();
  if (!object) continue;
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  const result = { apiVersion, kind, name, validatedBy: null, errors: [] };
  const crd = crds.get(`${apiVersion}/${kind}`);
  if (crd) {
    result.validatedBy = `crd:${crd.file}`;
    if (!crd.validate(object))
      result.errors = crd.validate.errors.map(
        (e) =>
          `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`,
      );
  } else {
    const Model = await builtInModel(apiVersion, kind);
    if (Model) {
      result.validatedBy = apiVersion.startsWith('monitoring.coreos.com')
        ? '@kubernetes-models/prometheus-operator'
        : 'kubernetes-models';
      try {
        new Model(object).validate();
      } catch (error) {
        result.errors = [String(error.message)];
      }
    }
  }
  results.push(result);
}
process.stdout.write(JSON.stringify({ crds: [...crds.keys()], results }, null, 2));
