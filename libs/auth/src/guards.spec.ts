import { Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CommonErrorCode, DomainException } from '@switchboard/errors';
import { executionContext } from '../test/execution-context';
import { AuthErrorCode } from './auth.exception';
import { JwtAuthGuard } from './jwt-auth.guard';
import { principalFromClaims, type Principal } from './principal';
import { Public } from './public.decorator';
import { Roles } from './roles.decorator';
import { RolesGuard } from './roles.guard';
import { Scopes } from './scopes.decorator';
import { ScopesGuard } from './scopes.guard';
import { TokenRejection } from './token-rejection';

const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';
const base = { iss: 'a', aud: 'b', jti: 'j', iat: 1, exp: 2 };
const user = (role: string) =>
  principalFromClaims({ ...base, typ: 'user', sub: 'u', org: ORG, role, sid: 's' });
const principals: Record<string, Principal> = {
  ADMIN: user('ADMIN'),
  CUSTOMER: user('CUSTOMER'),
  USER: user('USER'),
  'api_token CUSTOMER admin': principalFromClaims({
    ...base,
    typ: 'api_token',
    sub: 't',
    org: ORG,
    role: 'CUSTOMER',
    scope: 'admin',
  }),
  'api_token USER messages:send': principalFromClaims({
    ...base,
    typ: 'api_token',
    sub: 't',
    org: ORG,
    role: 'USER',
    scope: 'messages:send',
  }),
  device: principalFromClaims({ ...base, typ: 'device', sub: 'd', org: ORG }),
  'service admin': principalFromClaims({ ...base, typ: 'service', sub: 'x', scope: 'admin' }),
};

class Operations {
  @Roles('ADMIN') adminOnly() {}
  @Roles('CUSTOMER') ownerOnly() {}
  @Roles('USER') memberOnly() {}
  @Roles('CUSTOMER', 'USER') anyOrgUser() {}
  @Scopes('messages:send') send() {}
  @Scopes('devices:manage') manageDevices() {}
  @Scopes('billing:read') readBilling() {}
  @Scopes('messages:send', 'contacts:write') sendAndWriteContacts() {}
  @Scopes('admin') orgAdmin() {}
  open() {}
}

@Roles('CUSTOMER')
@Scopes('billing:read')
class OwnerOperations {
  inherited() {}
  @Roles('USER') overridden() {}
}

type Decision = 'allow' | CommonErrorCode;
function decide(guard: { canActivate(c: unknown): boolean }, call: () => unknown): Decision {
  try {
    guard.canActivate(call());
    return 'allow';
  } catch (error) {
    if (error instanceof DomainException) return error.code as CommonErrorCode;
    throw error;
  }
}
const F = CommonErrorCode.FORBIDDEN;
const A = 'allow' as const;

describe.each(['http', 'graphql'] as const)('over %s', (transport) => {
  const rolesGuard = new RolesGuard(new Reflector());
  const scopesGuard = new ScopesGuard(new Reflector());
  const call = (cls: new () => unknown, method: string, who?: string) => () =>
    executionContext(cls as never, method, {
      transport,
      principal: who ? principals[who] : undefined,
    });

  // principal × required role
  const roleMatrix: Record<string, Record<string, Decision>> = {
    ADMIN: { adminOnly: A, ownerOnly: F, memberOnly: F, anyOrgUser: F, open: A },
    CUSTOMER: { adminOnly: F, ownerOnly: A, memberOnly: F, anyOrgUser: A, open: A },
    USER: { adminOnly: F, ownerOnly: F, memberOnly: A, anyOrgUser: A, open: A },
    'api_token CUSTOMER admin': {
      adminOnly: F,
      ownerOnly: F,
      memberOnly: F,
      anyOrgUser: F,
      open: A,
    },
    device: { adminOnly: F, ownerOnly: F, memberOnly: F, anyOrgUser: F, open: A },
    'service admin': { adminOnly: F, ownerOnly: F, memberOnly: F, anyOrgUser: F, open: A },
  };
  it.each(
    Object.entries(roleMatrix).flatMap(([who, row]) =>
      Object.entries(row).map(([method, d]) => [who, method, d]),
    ),
  )('RolesGuard: %s calling %s → %s', (who, method, expected) => {
    expect(decide(rolesGuard, call(Operations, method, who))).toBe(expected);
  });

  // principal kind × required scope
  const scopeMatrix: Record<string, Record<string, Decision>> = {
    // A platform admin has no tenant scopes by that role (only its membership's, in the claim).
    ADMIN: {
      send: F,
      manageDevices: F,
      readBilling: F,
      sendAndWriteContacts: F,
      orgAdmin: F,
      open: A,
    },
    CUSTOMER: {
      send: A,
      manageDevices: A,
      readBilling: A,
      sendAndWriteContacts: A,
      orgAdmin: A,
      open: A,
    },
    USER: {
      send: A,
      manageDevices: F,
      readBilling: F,
      sendAndWriteContacts: A,
      orgAdmin: F,
      open: A,
    },
    'api_token CUSTOMER admin': {
      send: A,
      manageDevices: A,
      readBilling: A,
      sendAndWriteContacts: A,
      orgAdmin: A,
      open: A,
    },
    'api_token USER messages:send': {
      send: A,
      manageDevices: F,
      readBilling: F,
      sendAndWriteContacts: F,
      orgAdmin: F,
      open: A,
    },
    device: {
      send: F,
      manageDevices: F,
      readBilling: F,
      sendAndWriteContacts: F,
      orgAdmin: F,
      open: A,
    },
    'service admin': {
      send: A,
      manageDevices: A,
      readBilling: A,
      sendAndWriteContacts: A,
      orgAdmin: A,
      open: A,
    },
  };
  it.each(
    Object.entries(scopeMatrix).flatMap(([who, row]) =>
      Object.entries(row).map(([method, d]) => [who, method, d]),
    ),
  )('ScopesGuard: %s calling %s → %s', (who, method, expected) => {
    expect(decide(scopesGuard, call(Operations, method, who))).toBe(expected);
  });

  it('takes roles and scopes from the class, a method overriding them', () => {
    expect(decide(rolesGuard, call(OwnerOperations, 'inherited', 'CUSTOMER'))).toBe(A);
    expect(decide(rolesGuard, call(OwnerOperations, 'inherited', 'USER'))).toBe(F);
    expect(decide(rolesGuard, call(OwnerOperations, 'overridden', 'USER'))).toBe(A);
    expect(decide(scopesGuard, call(OwnerOperations, 'inherited', 'USER'))).toBe(F);
  });

  it('answers UNAUTHENTICATED when no principal was authenticated', () => {
    expect(decide(rolesGuard, call(Operations, 'memberOnly'))).toBe(
      CommonErrorCode.UNAUTHENTICATED,
    );
    expect(decide(scopesGuard, call(Operations, 'send'))).toBe(CommonErrorCode.UNAUTHENTICATED);
  });

  it('names the missing scopes', () => {
    expect(() =>
      scopesGuard.canActivate(
        call(Operations, 'sendAndWriteContacts', 'api_token USER messages:send')(),
      ),
    ).toThrow(expect.objectContaining({ details: { missingScopes: ['contacts:write'] } }) as Error);
  });
});

describe('JwtAuthGuard', () => {
  beforeAll(() => Logger.overrideLogger(false));
  class Endpoints {
    @Public() health() {}
    secret() {}
  }
  const guard = new JwtAuthGuard(new Reflector());
  const code = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'allow';
    } catch (error) {
      return `${(error as DomainException).code}: ${(error as Error).message}`;
    }
  };

  it.each(['http', 'graphql'] as const)(
    'lets @Public() through and asks others for a token (%s)',
    async (transport) => {
      expect(
        await code(guard.canActivate(executionContext(Endpoints, 'health', { transport }))),
      ).toBe('allow');
      expect(
        await code(guard.canActivate(executionContext(Endpoints, 'secret', { transport }))),
      ).toBe('UNAUTHENTICATED: Authentication required');
      const basic = executionContext(Endpoints, 'secret', {
        transport,
        headers: { authorization: 'Basic dTpw' },
      });
      expect(await code(guard.canActivate(basic))).toBe('UNAUTHENTICATED: Authentication required');
    },
  );

  it.each<[string, unknown, string]>([
    [
      'expired (jsonwebtoken)',
      Object.assign(new Error('jwt expired'), { name: 'TokenExpiredError' }),
      'UNAUTHENTICATED: Access token expired',
    ],
    [
      'bad signature (jsonwebtoken)',
      Object.assign(new Error('invalid signature'), { name: 'JsonWebTokenError' }),
      'UNAUTHENTICATED: Invalid access token',
    ],
    [
      'wrong issuer (jsonwebtoken)',
      Object.assign(new Error('jwt issuer invalid. expected: x'), { name: 'JsonWebTokenError' }),
      'UNAUTHENTICATED: Invalid access token',
    ],
    [
      'unknown kid',
      new TokenRejection('unknown_key', 'no key'),
      'UNAUTHENTICATED: Invalid access token',
    ],
    [
      'bad claims',
      new TokenRejection('bad_claims', 'claim org is not a uuid'),
      'UNAUTHENTICATED: Invalid access token',
    ],
    [
      'JWKS down',
      new TokenRejection('keys_unavailable', 'ECONNREFUSED'),
      `${AuthErrorCode.KEYS_UNAVAILABLE}: Token keys are unavailable, try again shortly`,
    ],
  ])('maps a rejection (%s) to an error that does not say more', (_name, info, expected) => {
    let message = 'allow';
    try {
      guard.handleRequest(null, false, info);
    } catch (error) {
      message = `${(error as DomainException).code}: ${(error as Error).message}`;
      expect((error as Error).cause).toBeInstanceOf(TokenRejection);
    }
    expect(message).toBe(expected);
  });

  it('returns the principal passport verified', () => {
    expect(guard.handleRequest(null, principals.USER, undefined)).toBe(principals.USER);
  });
});
