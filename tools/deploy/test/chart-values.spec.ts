// The chart's values are documented and typed: every value has a `## @param` line (itself or
// the object it belongs to), every `## @param` names a value, and values.schema.json declares
// every value (its objects refuse unknown keys, so a typo in a values file is an error).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const CHART = resolve(__dirname, '../../../charts/switchboard');
const valuesText = readFileSync(join(CHART, 'values.yaml'), 'utf8');
const values = parse(valuesText) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
const params = [...valuesText.matchAll(/^## @param (\S+) /gm)].map((m) => m[1]);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
}
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every path of the values, down to leaves or to free-form maps (env, annotations…). */
function paths(value: unknown, node: Schema | undefined, prefix: string[]): string[][] {
  if (!isObject(value) || !node?.properties) return [prefix];
  return Object.entries(value).flatMap(([key, v]) => {
    const child = node.properties?.[key];
    if (!child) return [[...prefix, key, '<not in the schema>']];
    return paths(v, child, [...prefix, key]);
  });
}

describe('the chart values', () => {
  const all = paths(values, schema, []);

  it('are all declared in values.schema.json', () => {
    expect(all.filter((p) => p.includes('<not in the schema>')).map((p) => p.join('.'))).toEqual(
      [],
    );
  });

  it('refuse unknown keys in every object the schema describes', () => {
    const open: string[] = [];
    const walk = (node: Schema, at: string) => {
      if (node.properties && node.additionalProperties !== false) open.push(at);
      for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${at}.${k}`);
    };
    walk(schema, '');
    // Security contexts are Kubernetes objects: the schema pins their hardening keys only.
    expect(open.filter((p) => !/SecurityContext$/.test(p))).toEqual([]);
  });

  it('each have a ## @param line (their own or their object’s)', () => {
    const documented = (path: string[]) =>
      path.some((_, i) => params.includes(path.slice(0, i + 1).join('.')));
    expect(all.filter((p) => !documented(p)).map((p) => p.join('.'))).toEqual([]);
  });

  it('have no ## @param for a value that does not exist', () => {
    const exists = (path: string) =>
      path.split('.').reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), values) !==
      undefined;
    expect(params.filter((p) => !exists(p))).toEqual([]);
  });
});
