import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Principal } from '@switchboard/auth';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { currentRequestContext } from '@switchboard/observability';
import type { EventDraft } from './outbox';

/**
 * An entry of the audit log as a service records it: who did what to which resource, with
 * which outcome. Services add it to their outbox in the transaction of the audited change
 * (`OutboxWriter.audit`); compliance appends it to the hash-chained log.
 */
export interface AuditRecord {
  actor: {
    kind: 'user' | 'api_token' | 'device' | 'service' | 'system';
    id: string;
    /** The actor's own organization (for a platform admin, none or its home organization). */
    orgId?: string;
  };
  /** `<resource>.<verb>` in lower case: `device.remove`, `message.cancel`, `user.login`. */
  action: string;
  /** The organization whose data was touched; none for platform-level actions. */
  orgId?: string;
  resourceType: string;
  resourceId?: string;
  /** A platform admin reaching into a tenant (then `reason` is set). */
  privileged?: boolean;
  reason?: string;
  outcome: 'success' | 'failure' | 'denied';
  correlationId?: string;
  requestId?: string;
  /** Flat details; never secrets, message bodies or phone numbers in clear. */
  metadata?: Record<string, string>;
  occurredAt: Date;
  /** A fixed event id (an idempotent write); otherwise a new one. */
  id?: string;
}

/** The caller of a request as an audit actor. */
export function auditActorOf(principal: Principal): AuditRecord['actor'] {
  switch (principal.kind) {
    case 'user':
      return { kind: 'user', id: principal.userId, orgId: principal.orgId };
    case 'api_token':
      return { kind: 'api_token', id: principal.tokenId, orgId: principal.orgId };
    case 'device':
      return { kind: 'device', id: principal.deviceId, orgId: principal.orgId };
    case 'service':
      return { kind: 'service', id: principal.service };
  }
}

const actorTypeOf: Record<AuditRecord['actor']['kind'], commonV1.ActorType> = {
  user: commonV1.ActorType.USER,
  api_token: commonV1.ActorType.API_TOKEN,
  device: commonV1.ActorType.DEVICE,
  service: commonV1.ActorType.SERVICE,
  system: commonV1.ActorType.SYSTEM,
};

const outcomeOf: Record<AuditRecord['outcome'], complianceV1.AuditOutcome> = {
  success: complianceV1.AuditOutcome.SUCCESS,
  denied: complianceV1.AuditOutcome.DENIED,
  failure: complianceV1.AuditOutcome.FAILED,
};

/**
 * The outbox draft of an audit entry: topic `compliance.audit.v1`, keyed by the organization
 * (so one organization's entries keep their order), tenant = the organization touched. The
 * request and correlation ids default to the current request's.
 */
export function auditEventDraft(
  entry: AuditRecord,
  sourceService: string,
): EventDraft<typeof complianceV1.AuditEventSchema> {
  const id = entry.id ?? randomUUID();
  const orgId = entry.orgId ?? '';
  const context = currentRequestContext();
  const correlationId = entry.correlationId ?? context?.correlationId;
  const requestId = entry.requestId ?? context?.requestId;
  return {
    topic: Topics.compliance.audit,
    key: orgId,
    subject: entry.resourceId || orgId || entry.action,
    orgId: entry.orgId,
    id,
    time: entry.occurredAt,
    correlationId,
    event: {
      id,
      occurredAt: timestampFromDate(entry.occurredAt),
      actor: {
        type: actorTypeOf[entry.actor.kind],
        id: entry.actor.id,
        orgId: entry.actor.orgId ?? '',
      },
      orgId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? '',
      privileged: entry.privileged ?? false,
      reason: entry.reason ?? '',
      outcome: outcomeOf[entry.outcome],
      requestId: requestId ?? '',
      correlationId: correlationId ?? '',
      sourceService,
      metadata: entry.metadata ?? {},
    },
  };
}
