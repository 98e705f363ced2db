import { buildSchema } from 'graphql';
import {
  callersFor,
  expectedOutcome,
  FEDERATION,
  matrixProblems,
  operationFor,
  PUBLIC,
  requiresPlatformAdmin,
  requiresScopes,
  rootFields,
  type MatrixCaller,
} from './authorization-matrix';

const schema = buildSchema(`
  scalar DateTime
  enum Status { QUEUED SENT }
  input Filter { status: Status!, since: DateTime!, search: String, tags: [String!]! }
  type Thing { id: ID! }
  type Query {
    thing(id: ID!, reason: String): Thing
    things(filter: Filter, first: Int = 20): [Thing!]!
    count: Int!
  }
  type Mutation { send(filter: Filter!, dryRun: Boolean!): Thing! }
`);

const caller = (name: string, callers: MatrixCaller[]) => callers.find((c) => c.name === name)!;

describe('authorization matrix', () => {
  it('derives the outcome of each caller from the requirement, as the guards decide', () => {
    const callers = callersFor(requiresScopes('devices:manage'), {
      deviceAccessToken: true,
      phoneCredential: true,
    });
    const outcomes = Object.fromEntries(
      callers.map((c) => [c.name, expectedOutcome(requiresScopes('devices:manage'), c)]),
    );
    expect(outcomes).toEqual({
      anonymous: 'UNAUTHENTICATED',
      USER: 'FORBIDDEN',
      CUSTOMER: 'allowed',
      // A platform admin holds no tenant scope by that role (only its membership's).
      ADMIN: 'FORBIDDEN',
      'API token [devices:manage]': 'allowed',
      'API token [all but devices:manage, admin]': 'FORBIDDEN',
      'API token [admin]': 'allowed',
      'device access token': 'FORBIDDEN',
      'phone credential': 'UNAUTHENTICATED',
    });
  });

  it('tries an API token without each needed scope in turn', () => {
    const both = requiresScopes('messages:read', 'messages:send');
    const tokens = callersFor(both).filter((c) => c.kind === 'api_token');
    expect(tokens.map((c) => [c.name, expectedOutcome(both, c)])).toEqual([
      ['API token [messages:read messages:send]', 'allowed'],
      ['API token [all but messages:read, admin]', 'FORBIDDEN'],
      ['API token [all but messages:send, admin]', 'FORBIDDEN'],
      ['API token [admin]', 'allowed'],
    ]);
  });

  it('asks platform admins for a reason, and refuses everyone else', () => {
    const admin = requiresPlatformAdmin('organization.read');
    const callers = callersFor(admin);
    expect(expectedOutcome(admin, caller('ADMIN', callers))).toBe('REASON_REQUIRED');
    expect(expectedOutcome(admin, caller('ADMIN with a reason', callers))).toBe('allowed');
    expect(expectedOutcome(admin, caller('CUSTOMER', callers))).toBe('FORBIDDEN');
    expect(expectedOutcome(admin, caller('API token [admin]', callers))).toBe('FORBIDDEN');
    expect(expectedOutcome(admin, caller('anonymous', callers))).toBe('UNAUTHENTICATED');
  });

  it('lets everyone through public and federation fields', () => {
    for (const requirement of [PUBLIC, FEDERATION]) {
      for (const c of callersFor(requirement, { phoneCredential: true })) {
        expect(expectedOutcome(requirement, c)).toBe('allowed');
      }
    }
  });

  it('asks the service rule for a permission', () => {
    const callers = callersFor({ permission: 'members.manage' });
    const admits = (_p: string, c: MatrixCaller) => c.kind === 'user' && c.role === 'CUSTOMER';
    expect(
      callers.map((c) => [c.name, expectedOutcome({ permission: 'members.manage' }, c, admits)]),
    ).toEqual([
      ['anonymous', 'UNAUTHENTICATED'],
      ['USER', 'FORBIDDEN'],
      ['CUSTOMER', 'allowed'],
      ['ADMIN', 'FORBIDDEN'],
      ['API token [all but admin]', 'FORBIDDEN'],
      ['API token [admin]', 'FORBIDDEN'],
    ]);
  });

  it('reports new fields, stale entries, missing requirements and disagreements', () => {
    const declared = new Map([
      ['Query.thing', { scopes: ['messages:read' as const] }],
      ['Query.things', {}],
      ['Query.count', { public: true as const }],
      ['Mutation.send', { scopes: ['messages:send' as const] }],
    ]);
    expect(
      matrixProblems(rootFields(schema), declared, {
        'Query.thing': requiresScopes('messages:read'),
        'Query.things': requiresScopes('messages:read'),
        'Mutation.send': requiresScopes('messages:read'),
        'Query.gone': PUBLIC,
      }),
    ).toEqual([
      'Mutation.send: the matrix says {"scopes":["messages:read"]}, the code declares {"scopes":["messages:send"]}',
      'Query.count: not in the matrix (a new field?); the code declares {"public":true}',
      'Query.things: declares no requirement (not @Public, no @Scopes/@Roles/@PlatformAdminOperation or permission)',
      'Query.things: the matrix says {"scopes":["messages:read"]}, the code declares {}',
      'Query.gone: in the matrix but not in the schema',
    ]);
  });

  it('generates a call that passes validation: required arguments only, typed values', () => {
    const send = operationFor(schema, 'Mutation.send');
    expect(send.query).toBe(
      'mutation AuthorizationMatrix($filter: Filter!, $dryRun: Boolean!) { send(filter: $filter, dryRun: $dryRun) { __typename } }',
    );
    expect(send.variables).toEqual({
      filter: { status: 'QUEUED', since: expect.any(String), tags: ['matrix'] },
      dryRun: true,
    });
    expect(Date.parse((send.variables.filter as { since: string }).since)).toBeGreaterThan(
      Date.now(),
    );

    const thing = operationFor(schema, 'Query.thing', { reason: 'audit' });
    expect(thing.query).toBe(
      'query AuthorizationMatrix($id: ID!, $reason: String) { thing(id: $id, reason: $reason) { __typename } }',
    );
    expect(thing.variables).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      reason: 'audit',
    });
    expect(operationFor(schema, 'Query.count').query).toBe('query AuthorizationMatrix { count }');
    expect(operationFor(schema, 'Query.things').query).toBe(
      'query AuthorizationMatrix { things { __typename } }',
    );
  });
});
