import { Reflector, type ModuleRef } from '@nestjs/core';
import { CommonErrorCode, DomainException } from '@switchboard/errors';
import { firstValueFrom, of, throwError } from 'rxjs';
import { executionContext, type CallOptions } from '../test/execution-context';
import { validateAccessReason } from './admin-access';
import type { AuditEntry, AuditSink } from './audit-sink';
import { PlatformAdminAuditInterceptor } from './platform-admin-audit.interceptor';
import { PlatformAdminOperation } from './platform-admin-operation.decorator';
import { PlatformAdminGuard } from './platform-admin.guard';
import { principalFromClaims, type Principal } from './principal';

const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';
const TARGET = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const base = { iss: 'a', aud: 'b', jti: 'j', iat: 1, exp: 2 };
const user = (role: string) =>
  principalFromClaims({ ...base, typ: 'user', sub: `user-${role}`, org: ORG, role, sid: 's' });
const principals: Record<string, Principal> = {
  ADMIN: user('ADMIN'),
  CUSTOMER: user('CUSTOMER'),
  USER: user('USER'),
  api_token: principalFromClaims({
    ...base,
    typ: 'api_token',
    sub: 't',
    org: ORG,
    role: 'CUSTOMER',
    scope: 'admin',
  }),
  service: principalFromClaims({ ...base, typ: 'service', sub: 'x', scope: 'admin' }),
};

class AdminOperations {
  @PlatformAdminOperation('organization.read') organization() {}
  @PlatformAdminOperation('message.read') message() {}
  @PlatformAdminOperation('message.read', { targetOrgArg: 'tenant', resourceType: 'sms' })
  custom() {}
  open() {}
}

const codeOf = (run: () => unknown): string => {
  try {
    run();
    return 'allow';
  } catch (error) {
    if (error instanceof DomainException) return error.code;
    throw error;
  }
};

describe('validateAccessReason', () => {
  it.each<[unknown, string]>([
    [undefined, CommonErrorCode.REASON_REQUIRED],
    [null, CommonErrorCode.REASON_REQUIRED],
    ['', CommonErrorCode.REASON_REQUIRED],
    ['   ', CommonErrorCode.REASON_REQUIRED],
    [' ab ', CommonErrorCode.REASON_REQUIRED],
    [42, CommonErrorCode.REASON_REQUIRED],
    ['abc', 'allow'],
    ['  ticket #4711: customer asked for help  ', 'allow'],
    ['x'.repeat(500), 'allow'],
    ['x'.repeat(501), CommonErrorCode.VALIDATION_FAILED],
  ])('%j → %s', (reason, expected) => {
    expect(codeOf(() => validateAccessReason(reason))).toBe(expected);
  });

  it('returns the reason trimmed', () => {
    expect(validateAccessReason('  ticket #4711 ')).toBe('ticket #4711');
  });
});

describe('PlatformAdminGuard', () => {
  const guard = new PlatformAdminGuard(new Reflector());
  const reasonFor = (transport: CallOptions['transport'], reason?: string): Partial<CallOptions> =>
    reason === undefined
      ? {}
      : transport === 'graphql'
        ? { args: { id: TARGET, reason } }
        : { headers: { 'x-access-reason': reason } };

  // principal × reason, over both transports
  const matrix: [string, string | undefined, string][] = [
    ['ADMIN', 'ticket #4711', 'allow'],
    ['ADMIN', undefined, CommonErrorCode.REASON_REQUIRED],
    ['ADMIN', '  ', CommonErrorCode.REASON_REQUIRED],
    ['ADMIN', 'ok', CommonErrorCode.REASON_REQUIRED],
    ['CUSTOMER', 'ticket #4711', CommonErrorCode.FORBIDDEN],
    ['CUSTOMER', undefined, CommonErrorCode.FORBIDDEN],
    ['USER', 'ticket #4711', CommonErrorCode.FORBIDDEN],
    ['api_token', 'ticket #4711', CommonErrorCode.FORBIDDEN],
    ['service', 'ticket #4711', CommonErrorCode.FORBIDDEN],
  ];
  describe.each(['http', 'graphql'] as const)('over %s', (transport) => {
    it.each(matrix)('%s with reason %j → %s', (who, reason, expected) => {
      const context = executionContext(AdminOperations, 'organization', {
        transport,
        principal: principals[who],
        ...reasonFor(transport, reason),
      });
      expect(codeOf(() => guard.canActivate(context))).toBe(expected);
    });

    it('asks for authentication first and leaves other handlers alone', () => {
      expect(
        codeOf(() =>
          guard.canActivate(executionContext(AdminOperations, 'organization', { transport })),
        ),
      ).toBe(CommonErrorCode.UNAUTHENTICATED);
      expect(
        codeOf(() => guard.canActivate(executionContext(AdminOperations, 'open', { transport }))),
      ).toBe('allow');
    });
  });
});

describe('PlatformAdminAuditInterceptor', () => {
  const entries: AuditEntry[] = [];
  const sink: AuditSink = { record: async (entry) => void entries.push(entry) };
  const moduleRef = { get: () => sink } as unknown as ModuleRef;
  const interceptor = new PlatformAdminAuditInterceptor(new Reflector(), moduleRef);
  beforeEach(() => (entries.length = 0));

  it('records a successful access with actor, target, reason and correlation id', async () => {
    const context = executionContext(AdminOperations, 'organization', {
      transport: 'graphql',
      principal: principals.ADMIN,
      args: { id: TARGET, reason: ' ticket #4711 ' },
      headers: { 'x-correlation-id': 'corr-1' },
    });
    const result = await firstValueFrom(
      interceptor.intercept(context, { handle: () => of({ id: TARGET }) }),
    );
    expect(result).toEqual({ id: TARGET });
    expect(entries).toEqual([
      {
        actor: { kind: 'user', id: 'user-ADMIN', orgId: ORG },
        action: 'organization.read',
        targetOrgId: TARGET,
        resourceType: 'organization',
        resourceId: TARGET,
        reason: 'ticket #4711',
        outcome: 'success',
        occurredAt: expect.any(Date),
        correlationId: 'corr-1',
      },
    ]);
  });

  it('records a failed access and rethrows the operation error', async () => {
    const context = executionContext(AdminOperations, 'organization', {
      transport: 'http',
      principal: principals.ADMIN,
      args: { id: TARGET },
      headers: { 'x-access-reason': 'ticket #4711' },
    });
    const boom = new Error('not found');
    await expect(
      firstValueFrom(interceptor.intercept(context, { handle: () => throwError(() => boom) })),
    ).rejects.toBe(boom);
    expect(entries).toEqual([
      expect.objectContaining({ outcome: 'failure', targetOrgId: TARGET, reason: 'ticket #4711' }),
    ]);
  });

  it('fails the call when the access cannot be recorded', async () => {
    const failing = new PlatformAdminAuditInterceptor(new Reflector(), {
      get: () => ({ record: async () => Promise.reject(new Error('outbox down')) }),
    } as unknown as ModuleRef);
    const context = executionContext(AdminOperations, 'organization', {
      transport: 'graphql',
      principal: principals.ADMIN,
      args: { id: TARGET, reason: 'ticket #4711' },
    });
    await expect(
      firstValueFrom(failing.intercept(context, { handle: () => of('data') })),
    ).rejects.toThrow('outbox down');
  });

  it.each<[string, Record<string, unknown>, Partial<AuditEntry>]>([
    [
      'organization',
      { id: TARGET },
      { targetOrgId: TARGET, resourceType: 'organization', resourceId: TARGET },
    ],
    [
      'message',
      { id: 'msg-1', orgId: TARGET },
      { targetOrgId: TARGET, resourceType: 'message', resourceId: 'msg-1' },
    ],
    [
      'message',
      { id: 'msg-1', organizationId: TARGET },
      { targetOrgId: TARGET, resourceId: 'msg-1' },
    ],
    ['message', { id: 'msg-1' }, { resourceType: 'message', resourceId: 'msg-1' }],
    ['custom', { tenant: TARGET, orgId: 'ignored' }, { targetOrgId: TARGET, resourceType: 'sms' }],
  ])('takes the target of %s from %j', async (method, args, expected) => {
    const context = executionContext(AdminOperations, method, {
      transport: 'graphql',
      principal: principals.ADMIN,
      args: { ...args, reason: 'ticket #4711' },
    });
    await firstValueFrom(interceptor.intercept(context, { handle: () => of(null) }));
    expect(entries[0]).toMatchObject(expected);
    if (!expected.targetOrgId) expect(entries[0]).not.toHaveProperty('targetOrgId');
  });

  it('refuses to start without an audit sink', () => {
    const missing = new PlatformAdminAuditInterceptor(new Reflector(), {
      get: () => {
        throw new Error('unknown element');
      },
    } as unknown as ModuleRef);
    expect(() => missing.onModuleInit()).toThrow(/provide AUDIT_SINK/);
  });
});
