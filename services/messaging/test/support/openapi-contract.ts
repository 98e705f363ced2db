// Contract checks against the vendors' published OpenAPI specs (../shared/vendor-specs, read at
// test time, never copied): a request the adapters make, or a webhook body a test sends, is
// validated with ajv against the spec's own schema. ajv and yaml are already the repository's
// dev dependencies; Prism (a mock server) would need Node 20 and a child process per spec.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../../../..');
export const VENDOR_SPECS = resolve(
  process.env.SWITCHBOARD_SHARED_DIR ?? resolve(ROOT, '../shared'),
  'vendor-specs',
);

type Json = Record<string, unknown>;

/** A copy of `node` whose local `#/…` refs point into the spec added under `id`. */
function rebase(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (node && typeof node === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] =
        k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${id}${v}` : rebase(v, id);
    }
    return out;
  }
  return node;
}

export interface ContractRequest {
  method: string;
  /** Path as sent, without the server's base path (Telnyx: without `/v2`). */
  path: string;
  contentType: string;
  /** Parsed body: JSON, or form fields (a repeated field as an array). */
  body: Json;
}

/** One vendor spec: validates requests by operation, and any component schema. */
export class OpenApiContract {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly routes: { regex: RegExp; template: string }[];

  private constructor(
    private readonly spec: Json,
    private readonly id: string,
  ) {
    const is31 = String(spec.openapi).startsWith('3.1');
    this.ajv = new (is31 ? Ajv2020 : Ajv)({
      strict: false,
      allErrors: true,
      logger: false,
      coerceTypes: is31 ? false : 'array',
      validateFormats: true,
    });
    const uri = /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#]+[^\s]*$/i;
    this.ajv.addFormat('uri', uri);
    this.ajv.addFormat('url', uri);
    this.ajv.addFormat('phone-number', /^(\w+:)?\+[1-9]\d{1,14}$/);
    this.ajv.addFormat('date-time', true);
    this.ajv.addSchema(rebase({ components: spec.components }, id) as Json, id);
    this.routes = Object.keys(spec.paths as Json).map((template) => ({
      template,
      regex: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  static twilioApi(): OpenApiContract {
    const file = resolve(VENDOR_SPECS, 'twilio/spec/json/twilio_api_v2010.json');
    return new OpenApiContract(JSON.parse(readFileSync(file, 'utf8')) as Json, 'twilio');
  }

  static telnyx(): OpenApiContract {
    const file = resolve(VENDOR_SPECS, 'telnyx/openapi/spec3.yml');
    return new OpenApiContract(
      parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Json,
      'telnyx',
    );
  }

  /** The problems of a request (empty: valid). */
  validateRequest(request: ContractRequest): string[] {
    const route = this.routes.find((r) => r.regex.test(request.path));
    if (!route) return [`no operation for ${request.method} ${request.path}`];
    const operation = (this.spec.paths as Record<string, Record<string, Json>>)[route.template]?.[
      request.method.toLowerCase()
    ];
    if (!operation) return [`no ${request.method} operation at ${route.template}`];
    const problems: string[] = [];
    // Path parameters against their schemas.
    const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const values =
      request.path.match(route.regex.source.replace(/\[\^\/\]\+/g, '([^/]+)'))?.slice(1) ?? [];
    for (const parameter of (operation.parameters as Json[] | undefined) ?? []) {
      if (parameter.in !== 'path') continue;
      const value = values[names.indexOf(parameter.name as string)];
      const check = this.compile(
        `param:${route.template}:${String(parameter.name)}`,
        parameter.schema,
      );
      if (!check(decodeURIComponent(value ?? ''))) {
        problems.push(
          `path parameter ${String(parameter.name)}: ${this.ajv.errorsText(check.errors)}`,
        );
      }
    }
    let body = operation.requestBody as Json | undefined;
    if (!body) {
      return Object.keys(request.body).length
        ? [...problems, 'a body where the operation takes none']
        : problems;
    }
    if (body.$ref) body = this.pointer(body.$ref as string);
    const media = (body?.content as Record<string, Json> | undefined)?.[request.contentType];
    if (!media) return [...problems, `content type ${request.contentType} not accepted`];
    const schema = media.schema as Json;
    const check = this.compile(`body:${route.template}:${request.contentType}`, schema);
    const copy = structuredClone(request.body);
    if (!check(copy)) problems.push(`body: ${this.ajv.errorsText(check.errors)}`);
    // Stricter than the spec (which allows any extra field): a field it does not declare is a
    // typo the vendor would silently ignore.
    const declared = this.declaredProperties(schema);
    if (declared) {
      for (const key of Object.keys(request.body)) {
        if (!declared.has(key)) problems.push(`body: field ${key} is not in the spec`);
      }
    }
    return problems;
  }

  /** The problems of `value` against a component schema (e.g. `OutboundMessageEvent`). */
  validateSchema(name: string, value: unknown): string[] {
    const check = this.compile(`schema:${name}`, { $ref: `#/components/schemas/${name}` });
    return check(structuredClone(value)) ? [] : [this.ajv.errorsText(check.errors)];
  }

  private compile(key: string, schema: unknown): ValidateFunction {
    let check = this.cache.get(key);
    if (!check) {
      check = this.ajv.compile(rebase(schema, this.id) as Json);
      this.cache.set(key, check);
    }
    return check;
  }

  private pointer(ref: string): Json {
    let node: unknown = this.spec;
    for (const part of ref.replace(/^#\//, '').split('/')) node = (node as Json)[part];
    return node as Json;
  }

  private declaredProperties(schema: Json): Set<string> | undefined {
    const resolved = schema.$ref ? this.pointer(schema.$ref as string) : schema;
    const props = resolved.properties as Json | undefined;
    return props ? new Set(Object.keys(props)) : undefined;
  }
}
