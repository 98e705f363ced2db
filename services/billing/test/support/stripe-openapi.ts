// Stripe's published OpenAPI spec (../shared/vendor-specs/stripe, API version 2023-08-16), as the
// local Stripe checks the requests billing sends: the method and path exist, every parameter is
// one the operation declares (query parameters, or the form body's properties, one level into
// arrays and objects), and string enums hold one of their values. Endpoints newer than the spec
// (billing meter events) are checked against the `stripe` client's types instead, by tsc.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../../..');
const SPEC = join(
  process.env.SWITCHBOARD_SHARED_DIR ?? resolve(ROOT, '../shared'),
  'vendor-specs/stripe/openapi/spec3.yaml',
);
/** Newer than the vendored spec: the client's own types are the reference. */
const NEWER_THAN_SPEC = new Set(['POST /v1/billing/meter_events']);

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  $ref?: string;
};
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Route {
  method: string;
  pattern: RegExp;
  template: string;
  operation: Operation;
}

let routes: Route[] | undefined;
let components: Record<string, Schema> = {};

function load(): Route[] {
  if (routes) return routes;
  const spec = parse(readFileSync(SPEC, 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, Schema> };
  };
  components = spec.components.schemas;
  routes = [];
  for (const [template, methods] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    for (const [method, operation] of Object.entries(methods)) {
      routes.push({ method: method.toUpperCase(), pattern, template, operation });
    }
  }
  return routes;
}

const deref = (s: Schema | undefined): Schema | undefined =>
  s?.$ref ? components[s.$ref.replace('#/components/schemas/', '')] : s;

/** The alternatives of a schema (anyOf), each dereferenced. */
const variants = (s: Schema | undefined): Schema[] =>
  s?.anyOf ? s.anyOf.map(deref).filter((v): v is Schema => !!v) : s ? [deref(s)!] : [];

function valueProblems(name: string, value: unknown, schema: Schema | undefined): string[] {
  const options = variants(schema);
  if (options.length === 0) return [];
  for (const option of options) {
    if (typeof value === 'string') {
      if (option.enum && !option.enum.includes(value) && !option.enum.includes('')) continue;
      if (option.enum || option.type !== 'object') return [];
      // A string for an object: only an empty one (Stripe's "unset").
      if (value === '') return [];
      continue;
    }
    if (Array.isArray(value)) {
      if (option.type !== 'array') continue;
      return value.flatMap((v, i) => valueProblems(`${name}[${i}]`, v, option.items));
    }
    if (value && typeof value === 'object') {
      if (option.type !== 'object') continue;
      if (!option.properties) return []; // free-form (metadata)
      return Object.entries(value).flatMap(([k, v]) =>
        k in option.properties!
          ? valueProblems(`${name}[${k}]`, v, option.properties![k])
          : [`${name}[${k}] is not a parameter`],
      );
    }
    return [];
  }
  return [`${name}=${JSON.stringify(value)} does not fit the spec`];
}

/** What the spec says is wrong with a request (nothing: []). */
export function stripeSpecProblems(method: string, path: string, params: object): string[] {
  if (NEWER_THAN_SPEC.has(`${method} ${path}`)) return [];
  const route = load().find((r) => r.method === method && r.pattern.test(path));
  if (!route) return [`${method} ${path} is not in Stripe's API`];
  const query = new Map(
    (route.operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]),
  );
  const form = deref(
    route.operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema,
  )?.properties;
  return Object.entries(params).flatMap(([name, value]) => {
    if (query.has(name)) return valueProblems(name, value, query.get(name)!.schema);
    if (form && name in form) return valueProblems(name, value, form[name]);
    return [`${method} ${route.template}: ${name} is not a parameter`];
  });
}
