import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { GraphQLSchemaHost, RESOLVER_NAME_METADATA, RESOLVER_TYPE_METADATA } from '@nestjs/graphql';
import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import {
  IS_PUBLIC_KEY,
  PLATFORM_ADMIN_OPERATION_KEY,
  ROLES_KEY,
  SCOPES,
  scopesImplying,
  SCOPES_KEY,
  scopesOfRole,
  type PlatformAdminOperationMetadata,
  type Role,
  type Scope,
} from '@switchboard/auth';
import type { GraphQLClient } from './graphql-client';
import type { TestTokenIssuer } from './test-tokens';

// A role × scope matrix generated from a service's GraphQL schema and its resolvers' auth
// decorators. The spec states, for every Query and Mutation field, what it requires; the
// helper checks that the code declares exactly that (and something: public, a role, a scope,
// platform admin, or the service's own permission), then calls each field as every kind of
// caller and asserts allowed or refused with the documented code (libs/auth README).

/** What a root field requires: as the matrix states it, and as the code declares it. */
export interface Requirement {
  /** `@Public()`: anyone, no token. */
  public?: true;
  /** `@Roles(...)`: signed-in users of one of these roles. */
  roles?: Role[];
  /** `@Scopes(...)`: every one of these scopes (`admin` implies all). */
  scopes?: Scope[];
  /** `@PlatformAdminOperation(action)`: a user of role ADMIN, with a reason. */
  platformAdmin?: string;
  /** The service's own permission decorator, e.g. accounts' `@Allow('members.manage')`. */
  permission?: string;
  /**
   * `_service` and `_entities`: Apollo Federation's fields, not Nest resolvers. The gateway
   * reads the SDL; each `@ResolveReference` answers only the caller's own entities.
   */
  federation?: true;
}

export interface MatrixField extends Requirement {
  /** Argument values used instead of generated ones (the rest are still generated). */
  args?: Record<string, unknown>;
  /**
   * Call with tokens nobody else uses: the call ends the caller's sessions or closes its
   * organization, which the other rows must not see.
   */
  freshToken?: boolean;
  /**
   * Callers (by name) the guards let through but the service itself refuses with FORBIDDEN,
   * each with the rule: e.g. a member may remove only themselves.
   */
  serviceRefuses?: Readonly<Record<string, string>>;
}

export const PUBLIC: Requirement = Object.freeze({ public: true as const });
export const FEDERATION: Requirement = Object.freeze({ federation: true as const });
export const requiresScopes = (...scopes: [Scope, ...Scope[]]): Requirement => ({ scopes });
export const requiresRoles = (...roles: [Role, ...Role[]]): Requirement => ({ roles });
export const requiresPlatformAdmin = (action: string): Requirement => ({ platformAdmin: action });

/** Who calls. Users carry their role's scopes; API tokens exactly `scopes` (created by an owner). */
export type MatrixCaller =
  | { name: 'anonymous'; kind: 'anonymous' }
  | { name: string; kind: 'user'; role: Role; withReason: boolean }
  | { name: string; kind: 'api_token'; scopes: readonly Scope[] }
  /** An access token of `typ: device` (authenticated, no scopes). */
  | { name: 'device access token'; kind: 'device' }
  /** A phone's own device-API credential, which is not an access token. */
  | { name: 'phone credential'; kind: 'phone_credential' };

/**
 * The token a TestTokenIssuer gives `caller` in `orgId`, for services whose tests issue their
 * tokens: an API token is created by an owner, so its scopes are not narrowed by a member's
 * role; none for the anonymous caller or a phone credential.
 */
export function issuedTokenFor(
  issuer: TestTokenIssuer,
  orgId: string,
  caller: MatrixCaller,
): Promise<string | undefined> {
  switch (caller.kind) {
    case 'user':
      return issuer.user(orgId, caller.role);
    case 'api_token':
      return issuer.apiToken(orgId, [...caller.scopes], { role: 'CUSTOMER' });
    case 'device':
      return issuer.device(orgId);
    default:
      return Promise.resolve(undefined);
  }
}

/** `allowed`: not refused by authorization (a later validation or NOT_FOUND error is fine). */
export type Outcome = 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'REASON_REQUIRED';

export interface AuthorizationMatrix {
  /** For messages: `devices`. */
  service: string;
  /** Every Query and Mutation field, as `Query.name` / `Mutation.name`. */
  fields: Readonly<Record<string, MatrixField>>;
  /** Also call as a device: with an access token of `typ: device`. */
  deviceAccessToken?: boolean;
  /** Also call with a phone's own device-API credential (not an access token). */
  phoneCredential?: boolean;
  /** The service's own permission decorator: its metadata key and its rule. */
  permission?: {
    metadataKey: string;
    admits(permission: string, caller: MatrixCaller): boolean;
  };
  /** Values for custom scalars (default: an ISO time for DateTime, else the string "matrix"). */
  scalars?: Record<string, unknown>;
}

export interface MatrixTarget {
  app: INestApplication;
  /** The service's GraphQL endpoint (a token is set per call with `.as()`). */
  client: GraphQLClient;
  /**
   * A token for `caller` (undefined for anonymous). The helper caches by caller name unless
   * `fresh` asks for one nobody else uses.
   */
  tokenFor(caller: MatrixCaller, options: { fresh: boolean }): Promise<string | undefined>;
}

/** What the auth guards of libs/auth answer (and in which order they check). */
export function expectedOutcome(
  requirement: Requirement,
  caller: MatrixCaller,
  admits: (permission: string, caller: MatrixCaller) => boolean = () => false,
): Outcome {
  if (requirement.public || requirement.federation) return 'allowed';
  if (caller.kind === 'anonymous' || caller.kind === 'phone_credential') return 'UNAUTHENTICATED';
  if (requirement.platformAdmin !== undefined) {
    if (caller.kind !== 'user' || caller.role !== 'ADMIN') return 'FORBIDDEN';
    if (!caller.withReason) return 'REASON_REQUIRED';
  }
  if (requirement.roles && !(caller.kind === 'user' && requirement.roles.includes(caller.role))) {
    return 'FORBIDDEN';
  }
  if (requirement.scopes && !requirement.scopes.every((scope) => holds(caller, scope))) {
    return 'FORBIDDEN';
  }
  if (requirement.permission !== undefined && !admits(requirement.permission, caller)) {
    return 'FORBIDDEN';
  }
  return 'allowed';
}

/** The scopes a caller holds: a user its role's (the catalog in libs/auth), a token its own. */
export function scopesOfCaller(caller: MatrixCaller): readonly Scope[] {
  if (caller.kind === 'user') return scopesOfRole[caller.role];
  if (caller.kind === 'api_token') return caller.scopes;
  return [];
}

function holds(caller: MatrixCaller, scope: Scope): boolean {
  const held = scopesOfCaller(caller);
  return held.includes(scope) || held.includes('admin');
}

const ANONYMOUS: MatrixCaller = { name: 'anonymous', kind: 'anonymous' };
const user = (role: Role, withReason = false): MatrixCaller => ({
  name: withReason ? `${role} with a reason` : role,
  kind: 'user',
  role,
  withReason,
});
const apiToken = (scopes: readonly Scope[], label = scopes.join(' ')): MatrixCaller => ({
  name: `API token [${label}]`,
  kind: 'api_token',
  scopes,
});

/**
 * The callers of one field: anonymous, USER, CUSTOMER, ADMIN (never giving a reason; ADMIN with
 * a reason too on platform-admin fields), an API token with exactly the needed scopes, for
 * each needed scope one with every scope but it (every scope but `admin` when none is
 * needed), one with `admin`, and optionally the device callers.
 */
export function callersFor(
  requirement: Requirement,
  options: { deviceAccessToken?: boolean; phoneCredential?: boolean } = {},
): MatrixCaller[] {
  const callers = [ANONYMOUS, user('USER'), user('CUSTOMER'), user('ADMIN')];
  if (requirement.platformAdmin !== undefined) callers.push(user('ADMIN', true));
  const needed = requirement.scopes ?? [];
  if (needed.length) {
    callers.push(apiToken(needed));
    // Without each needed scope in turn (nor one that implies it), holding every other one.
    for (const missing of needed) {
      const withheld = [missing, ...scopesImplying(missing)];
      callers.push(
        apiToken(
          SCOPES.filter((s) => !withheld.includes(s)),
          `all but ${withheld.join(', ')}`,
        ),
      );
    }
  } else {
    callers.push(
      apiToken(
        SCOPES.filter((s) => s !== 'admin'),
        'all but admin',
      ),
    );
  }
  callers.push(apiToken(['admin']));
  if (options.deviceAccessToken) callers.push({ name: 'device access token', kind: 'device' });
  if (options.phoneCredential) callers.push({ name: 'phone credential', kind: 'phone_credential' });
  return callers;
}

/** The root fields of a schema as `Query.name` / `Mutation.name`. */
export function rootFields(schema: GraphQLSchema): string[] {
  const names: string[] = [];
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (type)
      for (const field of Object.keys(type.getFields())) names.push(`${type.name}.${field}`);
  }
  return names.sort();
}

/**
 * The requirement each Query/Mutation handler declares through the libs/auth decorators (method
 * over class, as the guards read them) and the service's permission decorator, by field.
 */
export function declaredRequirements(
  app: INestApplication,
  permissionKey?: string,
): Map<string, Requirement> {
  const reflector = new Reflector();
  const found = new Map<string, Requirement>();
  const seen = new Set<unknown>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (typeof type !== 'function' || !type.prototype || seen.has(type)) continue;
      seen.add(type);
      for (const [method, handler] of methodsOf(type.prototype)) {
        const root = Reflect.getMetadata(RESOLVER_TYPE_METADATA, handler) as unknown;
        if (root !== 'Query' && root !== 'Mutation') continue;
        const name = (Reflect.getMetadata(RESOLVER_NAME_METADATA, handler) as string) ?? method;
        const targets = [handler, type];
        const requirement: Requirement = {};
        if (reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) requirement.public = true;
        const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
        if (roles?.length) requirement.roles = [...roles];
        const scopes = reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
        if (scopes?.length) requirement.scopes = [...scopes];
        const admin = reflector.get<PlatformAdminOperationMetadata | undefined>(
          PLATFORM_ADMIN_OPERATION_KEY,
          handler,
        );
        if (admin) requirement.platformAdmin = admin.action;
        const permission = permissionKey
          ? reflector.get<string | undefined>(permissionKey, handler)
          : undefined;
        if (permission !== undefined) requirement.permission = permission;
        found.set(`${root}.${name}`, requirement);
      }
    }
  }
  return found;
}

function methodsOf(prototype: object): [string, (...args: unknown[]) => unknown][] {
  const methods = new Map<string, (...args: unknown[]) => unknown>();
  for (let p = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const value = Object.getOwnPropertyDescriptor(p, name)?.value as unknown;
      if (name !== 'constructor' && typeof value === 'function' && !methods.has(name)) {
        methods.set(name, value as (...args: unknown[]) => unknown);
      }
    }
  }
  return [...methods];
}

const REQUIREMENT_KEYS = [
  'public',
  'roles',
  'scopes',
  'platformAdmin',
  'permission',
  'federation',
] as const;

/** The requirement part of a matrix entry, in a stable form for comparing and printing. */
export function requirementOf(field: Requirement): Requirement {
  const out: Record<string, unknown> = {};
  for (const key of REQUIREMENT_KEYS) {
    const value = field[key];
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? [...(value as string[])].sort() : value;
  }
  return out as Requirement;
}

const FEDERATION_FIELDS = new Set(['Query._service', 'Query._entities']);

/**
 * Everything wrong between the schema, the code and the matrix: a field missing from the
 * matrix (a new field), an entry for no field, a field that declares no requirement, and a
 * declaration different from the matrix's.
 */
export function matrixProblems(
  schemaFields: readonly string[],
  declared: ReadonlyMap<string, Requirement>,
  fields: Readonly<Record<string, MatrixField>>,
): string[] {
  const problems: string[] = [];
  const show = (r: Requirement) => JSON.stringify(requirementOf(r));
  for (const name of schemaFields) {
    const entry = fields[name];
    const code = declared.get(name);
    if (FEDERATION_FIELDS.has(name)) {
      if (!entry?.federation) problems.push(`${name}: list it in the matrix as FEDERATION`);
      continue;
    }
    if (!code) {
      problems.push(`${name}: no Nest resolver handler found for this field`);
      continue;
    }
    if (Object.keys(requirementOf(code)).length === 0) {
      problems.push(
        `${name}: declares no requirement (not @Public, no @Scopes/@Roles/@PlatformAdminOperation or permission)`,
      );
    }
    if (!entry) {
      problems.push(`${name}: not in the matrix (a new field?); the code declares ${show(code)}`);
    } else if (show(entry) !== show(code)) {
      problems.push(`${name}: the matrix says ${show(entry)}, the code declares ${show(code)}`);
    }
  }
  for (const name of Object.keys(fields)) {
    if (!schemaFields.includes(name)) problems.push(`${name}: in the matrix but not in the schema`);
  }
  return problems;
}

/** A GraphQL operation calling one root field with generated (or given) arguments. */
export interface MatrixOperation {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * An operation calling `field` ('Query.x' / 'Mutation.y'): every required argument gets a
 * well-typed value (ID: a random uuid, String: "matrix", Int/Float: 1, Boolean: true, enum:
 * its first value, input objects: their required fields, DateTime: a time tomorrow) so the
 * call passes GraphQL validation and reaches the guards; `args` replaces generated values and
 * may add optional ones. The selection is `__typename` for object results.
 */
export function operationFor(
  schema: GraphQLSchema,
  field: string,
  args: Record<string, unknown> = {},
  scalars: Record<string, unknown> = {},
): MatrixOperation {
  const [root, name] = field.split('.');
  const type = root === 'Mutation' ? schema.getMutationType() : schema.getQueryType();
  const definition = type?.getFields()[name];
  if (!definition) throw new Error(`${field} is not in the schema`);
  const used = definition.args.filter(
    (arg) => arg.name in args || (isNonNullType(arg.type) && arg.defaultValue === undefined),
  );
  const variables: Record<string, unknown> = {};
  for (const arg of used) {
    variables[arg.name] = arg.name in args ? args[arg.name] : sampleValue(arg.type, scalars);
  }
  const declarations = used.map((arg: GraphQLArgument) => `$${arg.name}: ${String(arg.type)}`);
  const passing = used.map((arg) => `${arg.name}: $${arg.name}`);
  const result = getNamedType(definition.type);
  const selection = isObjectType(result) || isAbstractType(result) ? ' { __typename }' : '';
  const operation = root === 'Mutation' ? 'mutation' : 'query';
  const header = declarations.length ? `(${declarations.join(', ')})` : '';
  const call = passing.length ? `(${passing.join(', ')})` : '';
  return {
    query: `${operation} AuthorizationMatrix${header} { ${name}${call}${selection} }`,
    variables,
  };
}

function sampleValue(type: GraphQLInputType, scalars: Record<string, unknown>): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, scalars);
  if (isListType(type)) return [sampleValue(type.ofType, scalars)];
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) && f.defaultValue === undefined) {
        value[f.name] = sampleValue(f.type, scalars);
      }
    }
    return value;
  }
  if (isScalarType(type)) {
    if (type.name in scalars) return scalars[type.name];
    switch (type.name) {
      case 'ID':
        return randomUUID();
      case 'Int':
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'DateTime':
        return new Date(Date.now() + 86_400_000).toISOString();
      default:
        return 'matrix';
    }
  }
  throw new Error(`no sample value for ${String(type)}`);
}

/** Arguments of the federation fields that generated values cannot satisfy (`_Any`). */
const FEDERATION_ARGS: Record<string, Record<string, unknown>> = {
  'Query._entities': { representations: [] },
};

/**
 * Codes that say a call did not reach the resolver: refused by authorization, or rejected by
 * GraphQL validation or variable coercion before the guards ran (which would make "allowed"
 * vacuous), or a crash.
 */
const NOT_REACHED = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'REASON_REQUIRED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'INTERNAL_SERVER_ERROR',
]);

/**
 * Defines the matrix tests in the current `describe`: one that the matrix lists every Query
 * and Mutation field of the built schema with what the code declares, and one per field and
 * caller asserting allowed or refused. `target` is read when the tests run (after beforeAll).
 */
export function describeAuthorizationMatrix(
  matrix: AuthorizationMatrix,
  target: () => MatrixTarget,
): void {
  const admits = matrix.permission?.admits;
  const tokens = new Map<string, Promise<string | undefined>>();
  const tokenOf = (caller: MatrixCaller, fresh: boolean) => {
    if (fresh) return target().tokenFor(caller, { fresh: true });
    if (!tokens.has(caller.name)) {
      const pending = target().tokenFor(caller, { fresh: false });
      // A failed mint is reported by the test that awaits it, and retried by the next.
      pending.catch(() => tokens.delete(caller.name));
      tokens.set(caller.name, pending);
    }
    return tokens.get(caller.name)!;
  };
  let schema: GraphQLSchema | undefined;
  const schemaOf = () => (schema ??= target().app.get(GraphQLSchemaHost).schema);

  it(`lists every Query and Mutation field of ${matrix.service}, each declaring what the matrix says`, () => {
    const problems = matrixProblems(
      rootFields(schemaOf()),
      declaredRequirements(target().app, matrix.permission?.metadataKey),
      matrix.fields,
    );
    expect(problems).toEqual([]);
  });

  const rows = Object.entries(matrix.fields).flatMap(([field, entry]) =>
    callersFor(entry, matrix).map((caller) => {
      const byGuards = expectedOutcome(entry, caller, admits);
      const rule = byGuards === 'allowed' ? entry.serviceRefuses?.[caller.name] : undefined;
      const outcome: Outcome = rule ? 'FORBIDDEN' : byGuards;
      const label = rule ? `FORBIDDEN by the service (${rule})` : outcome;
      return [field, caller.name, label, outcome, entry, caller] as const;
    }),
  );

  it.each(rows)('%s as %s → %s', async (field, _name, _label, outcome, entry, caller) => {
    const reason =
      caller.kind === 'user' && caller.withReason ? { reason: 'authorization matrix test' } : {};
    const { query, variables } = operationFor(
      schemaOf(),
      field,
      { ...FEDERATION_ARGS[field], ...entry.args, ...reason },
      matrix.scalars,
    );
    const token = await tokenOf(caller, entry.freshToken === true);
    const result = await target().client.as(token).request(query, variables);
    const codes = (result.errors ?? []).map((e) => String(e.extensions?.code));
    const seen = { field, caller: caller.name, codes, errors: result.errors };
    if (outcome === 'allowed') {
      expect({ ...seen, refused: codes.filter((c) => NOT_REACHED.has(c)) }).toEqual({
        ...seen,
        refused: [],
      });
    } else {
      expect({ ...seen, codes }).toEqual({ ...seen, codes: [outcome] });
    }
  });
}
