import { CommonErrorCode, CommonException } from '@switchboard/errors';
import {
  hasScope,
  principalFromClaims,
  requireOrg,
  SCOPES,
  scopesOfRole,
  memberScopeBound,
  type Principal,
  type Scope,
} from './principal';
import { TokenRejection } from './token-rejection';

const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';
const base = { iss: 'accounts', aud: 'switchboard', jti: 'jti-1', iat: 1, exp: 2 };

describe('scopesOfRole', () => {
  it('gives owners every scope, members the messaging ones, platform admins none by role', () => {
    expect(scopesOfRole).toEqual({
      ADMIN: [],
      CUSTOMER: [
        'messages:send',
        'messages:read',
        'devices:read',
        'devices:manage',
        'contacts:write',
        'billing:read',
        'admin',
      ],
      USER: ['messages:send', 'messages:read', 'devices:read', 'contacts:write'],
    });
    expect(Object.isFrozen(scopesOfRole.USER)).toBe(true);
  });

  it("bounds a platform admin's scope claim by a membership's (the owner's) scopes", () => {
    const admin = principalFromClaims({
      ...base,
      typ: 'user',
      sub: 'u',
      org: ORG,
      role: 'ADMIN',
      sid: 's',
      scope: 'messages:read contacts:write',
    });
    expect(admin.kind === 'user' && admin.scopes).toEqual(['messages:read', 'contacts:write']);
    expect(memberScopeBound('ADMIN')).toEqual(scopesOfRole.CUSTOMER);
    expect(memberScopeBound('USER')).toEqual(scopesOfRole.USER);
  });
});

describe('principalFromClaims', () => {
  it.each<[string, Record<string, unknown>, Principal]>([
    [
      'a member session',
      { ...base, typ: 'user', sub: 'u1', org: ORG, role: 'USER', sid: 's1' },
      {
        kind: 'user',
        userId: 'u1',
        orgId: ORG,
        role: 'USER',
        scopes: scopesOfRole.USER,
        sessionId: 's1',
        tokenId: 'jti-1',
      },
    ],
    [
      'an owner session narrowed by its scope claim (unknown scopes ignored)',
      {
        ...base,
        typ: 'user',
        sub: 'u2',
        org: ORG.toUpperCase(),
        role: 'CUSTOMER',
        sid: 's2',
        scope: 'messages:read future:thing',
      },
      {
        kind: 'user',
        userId: 'u2',
        orgId: ORG,
        role: 'CUSTOMER',
        scopes: ['messages:read'],
        sessionId: 's2',
        tokenId: 'jti-1',
      },
    ],
    [
      'a member session cannot widen its scopes by claim',
      {
        ...base,
        typ: 'user',
        sub: 'u3',
        org: ORG,
        role: 'USER',
        sid: 's3',
        scope: 'admin billing:read messages:send',
      },
      {
        kind: 'user',
        userId: 'u3',
        orgId: ORG,
        role: 'USER',
        scopes: ['messages:send'],
        sessionId: 's3',
        tokenId: 'jti-1',
      },
    ],
    [
      'an API token with the scopes it carries, bounded by its role',
      {
        ...base,
        typ: 'api_token',
        sub: 'tok1',
        org: ORG,
        role: 'USER',
        scope: 'messages:send devices:manage',
      },
      { kind: 'api_token', tokenId: 'tok1', orgId: ORG, scopes: ['messages:send'], role: 'USER' },
    ],
    [
      'an API token without a scope claim has none',
      { ...base, typ: 'api_token', sub: 'tok2', org: ORG, role: 'CUSTOMER' },
      { kind: 'api_token', tokenId: 'tok2', orgId: ORG, scopes: [], role: 'CUSTOMER' },
    ],
    [
      'a device',
      { ...base, typ: 'device', sub: 'dev1', org: ORG, scope: 'admin' },
      { kind: 'device', deviceId: 'dev1', orgId: ORG },
    ],
    [
      'a service, which needs no organization',
      { ...base, typ: 'service', sub: 'messaging', scope: 'messages:read' },
      { kind: 'service', service: 'messaging', scopes: ['messages:read'] },
    ],
  ])('maps %s', (_name, claims, expected) => {
    const principal = principalFromClaims(claims);
    expect(principal).toEqual(expected);
    expect(Object.isFrozen(principal)).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown principal kind', { ...base, typ: 'robot', sub: 'r', org: ORG }],
    ['a missing kind', { ...base, sub: 'u', org: ORG, role: 'USER', sid: 's' }],
    ['a user without org', { ...base, typ: 'user', sub: 'u', role: 'USER', sid: 's' }],
    [
      'a user with a non-uuid org',
      { ...base, typ: 'user', sub: 'u', org: 'acme', role: 'USER', sid: 's' },
    ],
    [
      'a user with an unknown role',
      { ...base, typ: 'user', sub: 'u', org: ORG, role: 'ROOT', sid: 's' },
    ],
    ['a user without session', { ...base, typ: 'user', sub: 'u', org: ORG, role: 'USER' }],
    [
      'a user without jti',
      { ...base, jti: undefined, typ: 'user', sub: 'u', org: ORG, role: 'USER', sid: 's' },
    ],
    ['an empty subject', { ...base, typ: 'user', sub: ' ', org: ORG, role: 'USER', sid: 's' }],
    [
      'an API token claiming ADMIN',
      { ...base, typ: 'api_token', sub: 't', org: ORG, role: 'ADMIN', scope: 'admin' },
    ],
    ['an API token without org', { ...base, typ: 'api_token', sub: 't', role: 'USER' }],
    ['a device without org', { ...base, typ: 'device', sub: 'd' }],
    ['a scope claim that is not a string', { ...base, typ: 'service', sub: 's', scope: ['admin'] }],
  ])('rejects %s as bad claims', (_name, claims) => {
    expect(() => principalFromClaims(claims)).toThrow(TokenRejection);
    expect(() => principalFromClaims(claims)).toThrow(/^bad_claims/);
  });
});

describe('hasScope', () => {
  const user = (role: 'ADMIN' | 'CUSTOMER' | 'USER', scope?: string) =>
    principalFromClaims({ ...base, typ: 'user', sub: 'u', org: ORG, role, sid: 's', scope });
  const apiToken = (scope: string, role = 'CUSTOMER') =>
    principalFromClaims({ ...base, typ: 'api_token', sub: 't', org: ORG, role, scope });
  const principals: Record<string, Principal> = {
    'user ADMIN': user('ADMIN'),
    'user ADMIN, a plain member': user('ADMIN', scopesOfRole.USER.join(' ')),
    'user ADMIN, an owner': user('ADMIN', scopesOfRole.CUSTOMER.join(' ')),
    'user CUSTOMER': user('CUSTOMER'),
    'user USER': user('USER'),
    'api_token messages:send': apiToken('messages:send'),
    'api_token devices:manage': apiToken('devices:manage'),
    'api_token admin': apiToken('admin'),
    'api_token (none)': apiToken(''),
    device: principalFromClaims({ ...base, typ: 'device', sub: 'd', org: ORG }),
    'service messages:read': principalFromClaims({
      ...base,
      typ: 'service',
      sub: 'x',
      scope: 'messages:read',
    }),
  };
  // Columns: messages:send messages:read devices:read devices:manage contacts:write billing:read admin
  const expected: Record<string, string> = {
    // A platform admin has no tenant powers by that role, only its membership's.
    'user ADMIN': '. . . . . . .',
    'user ADMIN, a plain member': 'Y Y Y . Y . .',
    'user ADMIN, an owner': 'Y Y Y Y Y Y Y',
    'user CUSTOMER': 'Y Y Y Y Y Y Y',
    'user USER': 'Y Y Y . Y . .',
    'api_token messages:send': 'Y . . . . . .',
    // Managing the fleet includes reading it.
    'api_token devices:manage': '. . Y Y . . .',
    'api_token admin': 'Y Y Y Y Y Y Y',
    'api_token (none)': '. . . . . . .',
    device: '. . . . . . .',
    'service messages:read': '. Y . . . . .',
  };
  const cases = Object.entries(expected).flatMap(([name, row]) =>
    row.split(' ').map((cell, i) => [name, SCOPES[i], cell === 'Y'] as [string, Scope, boolean]),
  );

  it.each(cases)('%s holds %s: %s', (name, scope, allowed) => {
    expect(hasScope(principals[name], scope)).toBe(allowed);
  });
});

describe('requireOrg', () => {
  it('returns the organization of tenant principals and refuses services', () => {
    expect(requireOrg({ kind: 'device', deviceId: 'd', orgId: ORG })).toBe(ORG);
    expect(() => requireOrg({ kind: 'service', service: 'billing', scopes: [] })).toThrow(
      expect.objectContaining({ code: CommonErrorCode.TENANT_REQUIRED }) as CommonException,
    );
  });
});
