import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { requestContext } from '@switchboard/observability';
import { auditActorOf, auditEventDraft } from './audit-event';
import { adminAccessRecord } from './outbox-audit-sink';

const ORG = '11111111-1111-4111-8111-111111111111';
const at = new Date('2030-01-02T03:04:05.678Z');

describe('audit events', () => {
  it('builds the compliance.audit.v1 draft, keyed and scoped by the organization touched', () => {
    const draft = auditEventDraft(
      {
        actor: { kind: 'api_token', id: 'tok-1', orgId: ORG },
        action: 'device.remove',
        orgId: ORG,
        resourceType: 'device',
        resourceId: 'dev-1',
        outcome: 'denied',
        correlationId: 'corr-1',
        requestId: 'req-1',
        metadata: { name: 'Pixel' },
        occurredAt: at,
        id: '22222222-2222-4222-8222-222222222222',
      },
      'devices',
    );
    expect(draft).toMatchObject({
      topic: Topics.compliance.audit,
      key: ORG,
      subject: 'dev-1',
      orgId: ORG,
      id: '22222222-2222-4222-8222-222222222222',
      time: at,
      correlationId: 'corr-1',
    });
    expect(draft.event).toMatchObject({
      id: '22222222-2222-4222-8222-222222222222',
      actor: { type: commonV1.ActorType.API_TOKEN, id: 'tok-1', orgId: ORG },
      orgId: ORG,
      action: 'device.remove',
      resourceType: 'device',
      resourceId: 'dev-1',
      privileged: false,
      reason: '',
      outcome: complianceV1.AuditOutcome.DENIED,
      requestId: 'req-1',
      correlationId: 'corr-1',
      sourceService: 'devices',
      metadata: { name: 'Pixel' },
    });
  });

  it('puts platform-level entries under an empty key and no tenant, with a fresh id', () => {
    const a = auditEventDraft(
      {
        actor: { kind: 'system', id: 'cli' },
        action: 'platform_admin.grant',
        resourceType: 'user',
        outcome: 'success',
        occurredAt: at,
      },
      'accounts',
    );
    const b = auditEventDraft(
      {
        actor: { kind: 'system', id: 'cli' },
        action: 'platform_admin.grant',
        resourceType: 'user',
        outcome: 'success',
        occurredAt: at,
      },
      'accounts',
    );
    expect(a).toMatchObject({ key: '', orgId: undefined, subject: 'platform_admin.grant' });
    expect(a.event).toMatchObject({ orgId: '', outcome: complianceV1.AuditOutcome.SUCCESS });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
  });

  it('records a platform admin access as privileged, with its reason', () => {
    expect(
      adminAccessRecord({
        actor: { kind: 'user', id: 'admin-1' },
        action: 'audit_log.read',
        targetOrgId: ORG,
        reason: 'ticket 42',
        outcome: 'failure',
        occurredAt: at,
      }),
    ).toEqual({
      actor: { kind: 'user', id: 'admin-1' },
      action: 'audit_log.read',
      orgId: ORG,
      resourceType: 'audit_log',
      resourceId: undefined,
      privileged: true,
      reason: 'ticket 42',
      outcome: 'failure',
      correlationId: undefined,
      occurredAt: at,
    });
  });

  it('takes the request and correlation ids of the current request when not given', () => {
    const draft = requestContext.run({ correlationId: 'corr-9', requestId: 'req-9' }, () =>
      auditEventDraft(
        {
          actor: { kind: 'user', id: 'u' },
          action: 'message.cancel',
          orgId: ORG,
          resourceType: 'message',
          outcome: 'success',
          occurredAt: at,
        },
        'messaging',
      ),
    );
    expect(draft.correlationId).toBe('corr-9');
    expect(draft.event).toMatchObject({ requestId: 'req-9', correlationId: 'corr-9' });
  });

  it('names every kind of principal as an actor', () => {
    expect(
      auditActorOf({
        kind: 'user',
        userId: 'u1',
        orgId: ORG,
        role: 'CUSTOMER',
        scopes: [],
        sessionId: 's',
        tokenId: 't',
      }),
    ).toEqual({ kind: 'user', id: 'u1', orgId: ORG });
    expect(
      auditActorOf({ kind: 'api_token', tokenId: 'k1', orgId: ORG, scopes: [], role: 'USER' }),
    ).toEqual({ kind: 'api_token', id: 'k1', orgId: ORG });
    expect(auditActorOf({ kind: 'device', deviceId: 'd1', orgId: ORG })).toEqual({
      kind: 'device',
      id: 'd1',
      orgId: ORG,
    });
    expect(auditActorOf({ kind: 'service', service: 'ghl-sync', scopes: [] })).toEqual({
      kind: 'service',
      id: 'ghl-sync',
    });
  });
});
