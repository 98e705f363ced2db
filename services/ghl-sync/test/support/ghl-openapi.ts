// GHL's published OpenAPI specs (../shared/vendor-specs/ghl, read at test time, never copied):
// every request the local GHL server receives is checked against the operation the spec
// defines — required headers (Version with its enum), query and path parameters, the body
// schema (shared refs from common/common-schemas.json) — plus one rule stricter than the spec:
// a body field the spec does not declare is a problem (GHL would silently ignore a typo).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

const ROOT = resolve(__dirname, '../../../..');
export const GHL_SPECS = resolve(
  process.env.SWITCHBOARD_SHARED_DIR ?? resolve(ROOT, '../shared'),
  'vendor-specs/ghl',
);

type Json = Record<string, unknown>;
const BASE = 'https://ghl.spec.test/';

export interface GhlSpecRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string>;
  contentType: string;
  body: unknown;
}

interface Route {
  spec: Json;
  id: string;
  template: string;
  regex: RegExp;
}

/** The GHL specs the provider talks to: OAuth, conversations, contacts. */
export class GhlOpenApi {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    validateSchema: false,
  });
  /** Query and header values arrive as strings: coerced to the parameter's type. */
  private readonly params = new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    coerceTypes: true,
  });
  private readonly routes: Route[] = [];
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(files = ['apps/oauth.json', 'apps/conversations.json', 'apps/contacts.json']) {
    this.ajv.addFormat('date-time', true);
    this.ajv.addFormat('email', true);
    this.ajv.addFormat('binary', true);
    const common = JSON.parse(
      readFileSync(resolve(GHL_SPECS, 'common/common-schemas.json'), 'utf8'),
    );
    this.ajv.addSchema({ components: common.components }, `${BASE}common/common-schemas.json`);
    for (const file of files) {
      const spec = JSON.parse(readFileSync(resolve(GHL_SPECS, file), 'utf8')) as Json;
      const id = `${BASE}${file}`;
      this.ajv.addSchema({ components: spec.components }, id);
      for (const template of Object.keys(spec.paths as Json)) {
        this.routes.push({
          spec,
          id,
          template,
          regex: new RegExp(`^${template.replace(/\/$/, '/?').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        });
      }
    }
    // Literal paths before templated ones (/conversations/search before /conversations/{id}).
    this.routes.sort(
      (a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0),
    );
  }

  /** The problems of a request (empty: the spec allows it). */
  validate(req: GhlSpecRequest): string[] {
    const method = req.method.toLowerCase();
    const route = this.routes.find(
      (r) => r.regex.test(req.path) && (r.spec.paths as Record<string, Json>)[r.template][method],
    );
    if (!route) return [`no operation for ${req.method} ${req.path}`];
    const op = (route.spec.paths as Record<string, Record<string, Json>>)[route.template][method];
    const problems: string[] = [];
    for (const p of (op.parameters as Json[] | undefined) ?? []) {
      const name = String(p.name);
      const value =
        p.in === 'header'
          ? first(req.headers[name.toLowerCase()])
          : p.in === 'query'
            ? req.query[name]
            : p.in === 'path'
              ? 'present'
              : undefined;
      if (value === undefined) {
        if (p.required) problems.push(`${String(p.in)} parameter ${name} is required`);
        continue;
      }
      if (p.in !== 'path' && p.schema) {
        const check = this.params.compile(p.schema as Json);
        if (!check(value))
          problems.push(
            `${String(p.in)} parameter ${name}: ${this.params.errorsText(check.errors)}`,
          );
      }
    }
    const content = (op.requestBody as Json | undefined)?.content as
      Record<string, Json> | undefined;
    if (content) {
      const media = content[req.contentType];
      if (!media) return [...problems, `content type ${req.contentType || '(none)'} not accepted`];
      const check = this.compile(route, `body:${route.template}:${method}`, media.schema);
      if (!check(structuredClone(req.body)))
        problems.push(`body: ${this.ajv.errorsText(check.errors)}`);
      const declared = this.declared(route, media.schema as Json);
      if (declared && req.body && typeof req.body === 'object') {
        for (const key of Object.keys(req.body)) {
          if (!declared.has(key)) problems.push(`body: field ${key} is not in the spec`);
        }
      }
    }
    return problems;
  }

  private compile(route: Route, key: string, schema: unknown): ValidateFunction {
    let check = this.cache.get(key);
    if (!check) {
      check = this.ajv.compile(rebase(schema, route.id) as Json);
      this.cache.set(key, check);
    }
    return check;
  }

  private declared(route: Route, schema: Json): Set<string> | undefined {
    let node: Json = schema;
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
      node = node.$ref
        .slice(2)
        .split('/')
        .reduce<Json>((n, part) => n[part] as Json, route.spec);
    }
    return node.properties ? new Set(Object.keys(node.properties as Json)) : undefined;
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `#/…` refs made absolute to the spec they came from; relative file refs resolved too. */
function rebase(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] =
        k === '$ref' && typeof v === 'string'
          ? v.startsWith('#')
            ? `${id}${v}`
            : new URL(v, id).toString()
          : rebase(v, id);
    }
    return out;
  }
  return node;
}
